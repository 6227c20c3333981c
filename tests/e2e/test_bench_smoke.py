#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Smoke test of `make bench`: one iteration of each workload, so the benchmarks cannot rot.
#
# Runs tools/bench.py --smoke for one arch (Stellina's apps/bench in each mode under
# -icount; on x86_64 and arm64 also that arch's Linux baseline guest with a 1 s wrk) and checks that every
# figure that should exist is a positive number read from a guest. Figures the suite
# marks "unavailable" (a mode or server not on this arch yet) are reported, not failed.
# Prints PASS/FAIL per figure and "N passed, N failed"; exit status 1 on any failure.
import argparse
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
STELLINA_KEYS = ["null_syscall_insns_kernel", "ipc_rtt_8b_insns_kernel", "ipc_rtt_1k_insns_kernel",
                 "null_syscall_insns_user", "ipc_rtt_8b_insns_user", "ipc_rtt_1k_insns_user",
                 "boot_to_http_insns", "boot_to_http_ms", "http_rps", "http_p99_ms", "min_mem_mib",
                 "boot_to_http_insns_user", "boot_to_http_ms_user", "http_rps_user",
                 "http_p99_ms_user", "min_mem_mib_user"]
LINUX_ARCHES = ("x86_64", "arm64")  # tools/bench.py's LINUX_QEMU
LINUX_KEYS = ["null_syscall_insns_user", "ipc_rtt_8b_insns_pipe", "ipc_rtt_1k_insns_pipe",
              "ipc_rtt_8b_insns_unix", "ipc_rtt_1k_insns_unix", "boot_to_http_insns",
              "boot_to_http_ms", "http_rps", "http_p99_ms", "http_rps_busybox", "min_mem_mib"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="riscv64")
    ap.add_argument("--build-dir")
    args = ap.parse_args()
    out = ROOT / "build" / "bench" / f"smoke-{args.arch}.json"
    cmd = [sys.executable, str(ROOT / "tools" / "bench.py"), "--smoke", "--arch", args.arch,
           "--out", str(out)]
    if args.arch not in LINUX_ARCHES:
        cmd.append("--no-linux")  # riscv64 has no Linux baseline of its own
    if args.build_dir:
        cmd += ["--build-dir", args.build_dir]
    passed = failed = 0
    if out.exists():
        out.unlink()  # never judge an older run's figures
    proc = subprocess.run(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    print(proc.stdout, end="")
    try:
        results = json.loads(out.read_text())
    except (OSError, ValueError) as e:
        print(f"FAIL results: tools/bench.py wrote no readable {out}: {e}")
        print("0 passed, 1 failed")
        return 1
    checks = [("stellina", STELLINA_KEYS)]
    if args.arch in LINUX_ARCHES:
        checks.append(("linux", LINUX_KEYS))
    for who, keys in checks:
        figs = results.get(args.arch, {}).get(who, {})
        for k in keys:
            v = figs.get(k)
            name = f"{who} {k}"
            if isinstance(v, str) and v.startswith("unavailable"):
                print(f"SKIP {name}: {v}")
            elif isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0:
                print(f"PASS {name} = {v}")
                passed += 1
            else:
                print(f"FAIL {name}: {v!r}")
                failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
