#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Fuzzes the generated protocol decoders with libFuzzer (ASan+UBSan) for a bounded time.
#
# Prints PASS/FAIL lines and a final "N passed, N failed"; exit status 1 on any failure.
# `make test` runs it for 20 s; `make fuzz` (FUZZ_SECONDS=...) runs it longer.
import argparse
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
HERE = pathlib.Path(__file__).resolve().parent
OUT = ROOT / "build" / "host" / "fuzz"
PROTOCOLS = f"{ROOT / 'protocols'} {ROOT / 'tests' / 'specgen' / 'protocols'}"


def step(name, cmd, checks, timeout=None):
    try:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"FAIL {name}: timed out after {timeout} s")
        checks[1] += 1
        return None
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-40:])
        print(f"FAIL {name}: exit status {proc.returncode}\n{tail}")
        checks[1] += 1
        return None
    print(f"PASS {name}")
    checks[0] += 1
    return proc.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", help="ignored: fuzzing runs on the host")
    ap.add_argument("--seconds", type=int, default=20, help="how long libFuzzer runs")
    args = ap.parse_args()
    checks = [0, 0]
    gen = OUT / "gen"
    harness = OUT / "harness.c"
    corpus = OUT / "corpus"
    exe = OUT / "fuzz_protocols"
    ok = step("fuzz: generate protocols", [sys.executable, str(ROOT / "tools" / "specgen"),
                                           "--apps", "", "--protocols", PROTOCOLS, "gen",
                                           "--out", str(gen)], checks)
    ok = ok is not None and step("fuzz: write harness", [
        sys.executable, str(HERE / "gen_harness.py"), "--protocols", PROTOCOLS, "--out",
        str(harness), "--corpus", str(corpus)], checks) is not None
    ok = ok and step("fuzz: build with libFuzzer, ASan, UBSan", [
        "clang", "-std=gnu11", "-g", "-O1", "-Wall", "-Wextra", "-Werror",
        "-Wno-unused-parameter", "-Wno-unused-function",
        "-fsanitize=fuzzer,address,undefined", "-fno-sanitize-recover=all",
        f"-I{ROOT}", f"-I{ROOT / 'lib/stellina/include'}", f"-I{gen}",
        f"-I{ROOT / 'tests/specgen'}", "-o", str(exe), str(harness),
        str(ROOT / "tests/specgen/host_stubs.c")], checks) is not None
    if ok:
        out = step(f"fuzz: {args.seconds} s without a crash or out-of-bounds read", [
            str(exe), f"-max_total_time={args.seconds}", "-max_len=4200", "-print_final_stats=1",
            f"-artifact_prefix={OUT}/", str(corpus)], checks, timeout=args.seconds + 120)
        if out:
            runs = [ln for ln in out.splitlines() if "stat::number_of_executed_units" in ln]
            if runs:
                print(f"  ({runs[-1].split(':')[-1].strip()} inputs tried)")
    print(f"{checks[0]} passed, {checks[1]} failed")
    return 1 if checks[1] else 0


if __name__ == "__main__":
    sys.exit(main())
