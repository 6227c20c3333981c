#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Fuzzes with libFuzzer (ASan+UBSan), each target for a bounded time: the generated
# protocol decoders, and the HTTP server's request parser (tests/fuzz/http_request.c).
#
# Prints PASS/FAIL lines and a final "N passed, N failed"; exit status 1 on any failure.
# `make test` runs each for 20 s; `make fuzz` (FUZZ_SECONDS=...) runs them longer.
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


CFLAGS = ["clang", "-std=gnu11", "-g", "-O1", "-Wall", "-Wextra", "-Werror",
          "-Wno-unused-parameter", "-Wno-unused-function",
          "-fsanitize=fuzzer,address,undefined", "-fno-sanitize-recover=all", f"-I{ROOT}"]

# Requests the HTTP parser target starts from (libFuzzer mutates them).
HTTP_SEEDS = [
    b"GET / HTTP/1.1\r\nHost: stellina\r\n\r\n",
    b"HEAD /api/status HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    b"GET /bytes/100 HTTP/1.1\nHost: a\nConnection: close\n\nGET / HTTP/1.1\r\n",
    b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
]


def fuzz(name, exe, corpus, seconds, max_len, checks):
    out = step(f"fuzz {name}: {seconds} s without a crash or out-of-bounds read", [
        str(exe), f"-max_total_time={seconds}", f"-max_len={max_len}", "-print_final_stats=1",
        f"-artifact_prefix={OUT}/{name}-", str(corpus)], checks, timeout=seconds + 120)
    if out:
        runs = [ln for ln in out.splitlines() if "stat::number_of_executed_units" in ln]
        if runs:
            print(f"  ({runs[-1].split(':')[-1].strip()} inputs tried)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", help="ignored: fuzzing runs on the host")
    ap.add_argument("--seconds", type=int, default=20, help="how long libFuzzer runs each target")
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
    ok = ok and step("fuzz: build the protocol decoders' target", CFLAGS + [
        f"-I{ROOT / 'lib/stellina/include'}", f"-I{gen}", f"-I{ROOT / 'tests/specgen'}",
        "-o", str(exe), str(harness), str(ROOT / "tests/specgen/host_stubs.c")],
        checks) is not None
    if ok:
        fuzz("protocols", exe, corpus, args.seconds, 4200, checks)

    http_exe = OUT / "fuzz_http_request"
    http_corpus = OUT / "http-corpus"
    http_corpus.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(HTTP_SEEDS):
        (http_corpus / f"seed{i}").write_bytes(seed)
    if step("fuzz: build the HTTP request parser's target", CFLAGS + [
            "-o", str(http_exe), str(HERE / "http_request.c"),
            str(ROOT / "apps/http/request.c")], checks) is not None:
        # Past the header limit (8 KiB), so that inputs reach it.
        fuzz("http_request", http_exe, http_corpus, args.seconds, 9000, checks)

    print(f"{checks[0]} passed, {checks[1]} failed")
    return 1 if checks[1] else 0


if __name__ == "__main__":
    sys.exit(main())
