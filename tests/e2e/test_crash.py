#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# End-to-end test of fault containment: boots systems/crash.toml and checks that crashing user-mode apps harm nothing else.
#
# crashy crashes once per run (NULL load, illegal instruction, stack overflow, and a NULL load
# while a thread of its own waits in channel_call right after a handoff, in turn) and init
# restarts it; crashy_spin spins forever; crashy_tick does 50 round trips with echo meanwhile.
# Prints PASS/FAIL per check and a final "N passed, N failed"; exit status 1 on any failure.
import importlib.util
import pathlib
import re
import subprocess
import sys
import time
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
_spec = importlib.util.spec_from_file_location("stellina_test", ROOT / "tools" / "test.py")
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)

WANT_EXITS = 8       # crashy runs to see: each kind at least twice
QUIET_EXITS = 5      # of them once crashy_tick is done: heap compared, each kind in a pair
TIMEOUT = 240        # seconds for all of it
KINDS = ("null", "illegal", "stack", "handoff")
HANDOFF_RE = re.compile(r"crashy: handoff: (\d+) of (\d+) messages handed over")
KILLED_RE = re.compile(r"crashy: killed: (\S[^\n]*?) at pc=(0x[0-9a-f]+) addr=(0x[0-9a-f]+)")
EXIT_RE = re.compile(r"init: (\S+) exited with code (-?\d+) \((\d+) pages free, (\d+) heap bytes used\)")


def quiet_exits(exits):
    """crashy's exits after crashy_tick's, when nothing else runs but the spinner."""
    tick = [i for i, e in enumerate(exits) if e.group(1) == "crashy_tick"]
    return [e for e in exits[tick[0] + 1:] if e.group(1) == "crashy"] if tick else []


def main():
    args = runner.e2e_args()
    with open(ROOT / "systems" / "crash.toml", "rb") as f:
        only = tomllib.load(f).get("system", {}).get("arches")
    if only is not None and args.arch not in only:
        print(f"not run: systems/crash.toml names {', '.join(only)}")
        print("0 passed, 0 failed")
        return 0
    checks = runner.Checks()
    if not checks.build(args.arch, "crash", f"build-{args.arch}-crash.log"):
        return checks.finish()
    guest = runner.Guest(runner.qemu_command(args.arch, "crash"), subprocess.DEVNULL,
                         runner.LOG_DIR / f"e2e-crash-{args.arch}.log")
    try:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline and guest.proc.poll() is None:
            exits = [m for m in EXIT_RE.finditer(guest.output()) if m.group(1) == "crashy"]
            if len(exits) >= WANT_EXITS and len(quiet_exits(list(EXIT_RE.finditer(guest.output())))) >= QUIET_EXITS:
                break
            time.sleep(0.5)
    finally:
        guest.stop()
    log = guest.output()

    checks.check("no kernel panic", "PANIC" not in log, runner.tail(log))
    killed = KILLED_RE.findall(log)
    for kind in KINDS:
        n = log.count(f"crashy: about to {kind}")
        checks.check(f"{kind}: crashed at least twice", n >= 2, f"{n} times")
    checks.check("every crash was logged with its cause, pc and address",
                 len(killed) >= WANT_EXITS and all(c and pc != "0x0" for c, pc, _ in killed),
                 f"{len(killed)} kill lines: {killed[:3]}")
    handoffs = HANDOFF_RE.findall(log)
    checks.check("handoff: every message went straight to the waiting thread",
                 len(handoffs) >= 2 and all(n == total for n, total in handoffs), str(handoffs))
    causes = {c for c, _, _ in killed}
    checks.check("crashes of different kinds have different causes", len(causes) >= 2, str(causes))
    restarts = re.findall(r"init: restarting crashy \(restart (\d+)\)", log)
    checks.check("init restarted crashy after each crash",
                 [int(r) for r in restarts[:WANT_EXITS - 1]] == list(range(1, WANT_EXITS)),
                 f"restart numbers {restarts}")
    exits = list(EXIT_RE.finditer(log))
    crashy_exits = [e for e in exits if e.group(1) == "crashy"]
    checks.check("crashy exits with a failure code", crashy_exits and
                 all(e.group(2) != "0" for e in crashy_exits), str([e.group(2) for e in crashy_exits]))
    # Between two crashy exits with no other exit in between, nothing else
    # changed: the free page count must be back exactly where it was.
    pairs = [(a, b) for a, b in zip(exits, exits[1:])
             if a.group(1) == b.group(1) == "crashy"][1:]  # the first run warms caches up
    leaks = [(a.group(3), b.group(3)) for a, b in pairs if a.group(3) != b.group(3)]
    checks.check("memory returns after every crash", len(pairs) >= 3 and not leaks,
                 f"{len(pairs)} comparable pairs, differing: {leaks}")
    # The kernel heap too, once crashy_tick (whose messages come and go) is
    # done: a thread killed while blocked must still let go of what it held.
    quiet = quiet_exits(exits)
    heap_leaks = [(a.group(4), b.group(4)) for a, b in zip(quiet, quiet[1:]) if a.group(4) != b.group(4)]
    checks.check("kernel heap returns after every crash", len(quiet) >= QUIET_EXITS and not heap_leaks,
                 f"{len(quiet)} exits after crashy_tick's, differing: {heap_leaks}")
    closed = len(re.findall(r"echo: client \d+ closed", log))
    checks.check("echo saw each crashed client close", closed >= len(crashy_exits),
                 f"{closed} close lines for {len(crashy_exits)} crashes")
    checks.check("a spinning app does not stop the others",
                 "crashy_spin: about to spin" in log and "crashy_tick: 50 round trips" in log,
                 "crashy_tick did not finish its round trips")
    return checks.finish(log)


if __name__ == "__main__":
    sys.exit(main())
