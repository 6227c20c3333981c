#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Where the instructions of one apps/bench workload go: a per-function count from a QEMU trace.
"""Usage: bench/profile.py [--arch riscv64] [--mode kernel|user] [--workload rtt8|rtt1k|null]

Boots systems/bench-smoke.toml (or bench-user-smoke.toml) with one iteration under
-icount and QEMU's `-d in_asm,exec,nochain` trace, then counts the guest instructions
between the client's two sys_timer_now() calls around the chosen workload, by function
(kernel symbols from the kernel ELF, app symbols from build/<arch>/apps/bench.elf).
The total is the figure apps/bench prints, without the timer's rounding. A translation
block cut short (an interrupt in the middle) is counted whole, so treat small counts as
approximate. Builds into build/bench/profile/<arch>; the trace (a few hundred MB) is
deleted afterwards.
"""
import argparse
import bisect
import collections
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
# sys_timer_now() calls of the client, in order: main's start, then t0/t1 of each workload.
WINDOWS = {"null": (1, 2), "rtt8": (3, 4), "rtt1k": (5, 6)}
IMAGE_RE = re.compile(r"started (\S+) \(app bench, [^)]*\) image at (0x[0-9a-f]+)")
INSN_RE = re.compile(r"^0x([0-9a-f]+):")


def symbols(elf):
    """Sorted (address, name) of the functions in elf (local labels left out)."""
    out = subprocess.run(["llvm-nm-14", "-n", str(elf)], stdout=subprocess.PIPE, text=True,
                         check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW" and not parts[2].startswith(".L"):
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def make(arch, system, build):
    subprocess.run(["make", "-s", f"ARCH={arch}", f"SYSTEM={system}", f"BUILD={build}"], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)
    probe = "_p:\n\t@echo $(QEMU) $(QEMU_FLAGS) $(call QEMU_KERNEL_ARGS,$(IMAGE))\n"
    return subprocess.run(["make", "-s", "-f", "Makefile", "-f", "-", f"ARCH={arch}",
                           f"SYSTEM={system}", f"BUILD={build}", "_p"], cwd=ROOT, input=probe,
                          stdout=subprocess.PIPE, text=True, check=True).stdout.split()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--arch", default="riscv64")
    ap.add_argument("--mode", choices=["kernel", "user"], default="kernel")
    ap.add_argument("--workload", choices=sorted(WINDOWS), default="rtt8")
    ap.add_argument("--top", type=int, default=30)
    args = ap.parse_args()
    build = ROOT / "build" / "bench" / "profile" / args.arch
    system = "bench-smoke" if args.mode == "kernel" else "bench-user-smoke"
    qemu = make(args.arch, system, build) + ["-icount", "shift=0,sleep=off"]
    trace = build / "trace.log"
    out = subprocess.run(["timeout", "300"] + qemu + ["-d", "in_asm,exec,nochain", "-D", str(trace)],
                         cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, errors="replace").stdout
    bases = {name: int(addr, 16) for name, addr in IMAGE_RE.findall(out)}
    if "bench_smoke" not in bases:
        print("profile: the client did not start; console:\n" + out[-2000:], file=sys.stderr)
        return 1
    kelf = build / f"stellina-{system}.elf"
    ksyms, asyms = symbols(kelf), symbols(build / "apps" / "bench.elf")
    kaddrs, aaddrs = [a for a, _ in ksyms], [a for a, _ in asyms]
    app_end = asyms[-1][0] + 0x10000
    timer_now = dict((n, a) for a, n in asyms)["sys_timer_now"] + bases["bench_smoke"]

    def where(pc):
        # Images of other instances may share the client's addresses (user mode); their
        # functions are the same code, so the name is right either way.
        for name, base in sorted(bases.items(), key=lambda nb: nb[0] != "bench_smoke"):
            if base <= pc < base + app_end:
                i = bisect.bisect_right(aaddrs, pc - base) - 1
                return f"{'app' if name == 'bench_smoke' else 'peer'}:{asyms[i][1] if i >= 0 else '?'}"
        i = bisect.bisect_right(kaddrs, pc) - 1
        if i >= 0 and kaddrs[0] <= pc < kaddrs[-1] + 0x1000:
            return f"kernel:{ksyms[i][1]}"
        return "other"

    tb_len, seq, cur = {}, [], None
    with open(trace, errors="replace") as f:
        for line in f:
            if line.startswith("Trace"):
                seq.append(int(line.split("[", 1)[1].split("/")[1], 16))
                cur = None
            elif line.startswith("IN:"):
                cur = "new"
            elif cur is not None and (m := INSN_RE.match(line)):
                if cur == "new":
                    cur = int(m.group(1), 16)
                    tb_len[cur] = 0
                tb_len[cur] += 1
    trace.unlink()
    stamps = [i for i, pc in enumerate(seq) if pc == timer_now]
    lo, hi = WINDOWS[args.workload]
    if len(stamps) <= hi:
        print(f"profile: saw {len(stamps)} sys_timer_now calls, need {hi + 1}", file=sys.stderr)
        return 1
    counts, total = collections.Counter(), 0
    for pc in seq[stamps[lo]:stamps[hi]]:
        n = tb_len.get(pc, 1)
        counts[where(pc)] += n
        total += n
    print(f"{args.arch} {args.mode} {args.workload}: {total} instructions between the timer reads")
    for name, n in counts.most_common(args.top):
        print(f"{n:7d} {100 * n / total:5.1f}%  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
