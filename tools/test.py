#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# The runner behind `make test`: host unit tests, autotest in QEMU per arch and system, e2e tests.
#
# Prints one line per suite ("suite NAME ARCH MODE: N passed, N failed"),
# then "N passed, N failed" alone, and exits non-zero on any failure.
# Also importable: tests/e2e scripts use qemu_command() and Guest.
import argparse
import os
import pathlib
import re
import subprocess
import sys
import threading
import time
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / "build" / "test-logs"
AUTOTEST_TIMEOUT = 300      # seconds for one autotest boot
HANG_TIMEOUT = 120          # seconds without console output that count as a hang
SHUTDOWN_GRACE = 20         # seconds QEMU gets to exit after the sentinel
E2E_TIMEOUT = 600           # seconds for one e2e script
TAIL_LINES = 40
# --build-dir: builds go to <it>/<arch> (make BUILD=...) instead of build/<arch>.
BUILD_ROOT = None


def make_vars(arch):
    return [f"ARCH={arch}"] + ([f"BUILD={BUILD_ROOT}/{arch}"] if BUILD_ROOT else [])


def listen_shim():
    """tools/listen_backlog.c (listen() with a backlog of at least 128, for QEMU's forwarded
    ports) built into the build dir: its path, or None (the error is printed). Start QEMU
    as ["env", f"LD_PRELOAD={path}", ...]: env execs it, so its PID stays QEMU's."""
    out_dir = ROOT / (BUILD_ROOT or "build") / "e2e"
    out_dir.mkdir(parents=True, exist_ok=True)
    src, so = ROOT / "tools" / "listen_backlog.c", out_dir / "listen_backlog.so"
    proc = subprocess.run(["clang", "-shared", "-fPIC", "-O2", "-o", str(so), str(src), "-ldl"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stderr)
        return None
    return so

PASS_RE = re.compile(r"TEST PASS (\S+)")
FAIL_RE = re.compile(r"TEST FAIL ([^:\s]+):?\s*(.*)")
SENTINEL_RE = re.compile(r"AUTOTEST DONE: (\d+) passed, (\d+) failed")
SUMMARY_RE = re.compile(r"^(\d+) passed, (\d+) failed$")


class Result:
    """Counts for one suite, plus the reasons for each failure."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.problems = []

    def fail(self, why):
        self.failed += 1
        self.problems.append(why)


def tail(text, n=TAIL_LINES):
    return "\n".join(text.splitlines()[-n:])


def run_make(args, log_name):
    """Runs make in the repo root; returns (ok, output). The output is saved in the log dir."""
    proc = subprocess.run(["make"] + args, cwd=ROOT, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace")
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    (LOG_DIR / log_name).write_text(proc.stdout)
    return proc.returncode == 0, proc.stdout


class Checks:
    """The PASS/FAIL lines of one test script and its closing "N passed, N failed" line, which
    parse_e2e_output reads back: the e2e scripts and tests/specgen/run.py count with this."""

    def __init__(self):
        self.passed = self.failed = 0

    def ok(self, name):
        print(f"PASS {name}", flush=True)
        self.passed += 1

    def fail(self, name, why):
        print(f"FAIL {name}: {why}", flush=True)
        self.failed += 1

    def check(self, name, ok, why=""):
        if ok:
            self.ok(name)
        else:
            self.fail(name, why)

    def build(self, arch, system, log_name, extra_vars=()):
        """Runs make for SYSTEM=system; on failure records the check "build" with the output's
        tail. Returns whether make succeeded."""
        ok, out = run_make(make_vars(arch) + [f"SYSTEM={system}", *extra_vars], log_name)
        if not ok:
            self.fail("build", f"make SYSTEM={system} failed:\n" + tail(out))
        return ok

    def finish(self, console=None):
        """Prints the console's last lines if a check failed (when a console is given), then the
        summary line; returns the script's exit status (1 on any failure)."""
        if self.failed and console is not None:
            print("--- last lines of the console ---")
            print(tail(console))
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def e2e_args(ap=None):
    """Parses an e2e script's --arch (default riscv64) and --build-dir (which sets BUILD_ROOT),
    plus whatever the script added to `ap` itself."""
    global BUILD_ROOT
    ap = ap or argparse.ArgumentParser()
    ap.add_argument("--arch", default="riscv64")
    ap.add_argument("--build-dir", help="build into DIR/<arch> instead of build/<arch>")
    args = ap.parse_args()
    BUILD_ROOT = args.build_dir
    return args


# ---- tier 1: host unit tests --------------------------------------------------

def parse_unit_output(text, make_ok):
    """Judges `make unit` output: PASS/FAIL lines per test, a summary per binary."""
    r = Result()
    binary = None
    summarized = True
    for line in text.splitlines():
        if line.startswith("== "):
            if not summarized:
                r.fail(f"{binary}: no summary line (crashed?)")
            binary, summarized = line[3:].strip(), False
        elif line.startswith("PASS "):
            r.passed += 1
        elif line.startswith("FAIL "):
            r.fail(line[5:])
        elif SUMMARY_RE.match(line.strip()):
            summarized = True
    if not summarized:
        r.fail(f"{binary}: no summary line (crashed?)")
    if not make_ok and r.failed == 0:
        r.fail("make unit failed (build error or sanitizer report)")
    return r


def run_unit():
    ok, out = run_make(["unit"], "unit.log")
    r = parse_unit_output(out, ok)
    return r, out


# ---- tier 2: autotest in QEMU -------------------------------------------------

def arches():
    """Every arch with both kernel/arch/<arch>/ and mk/<arch>.mk (the host stub arch has no .mk)."""
    found = []
    for d in sorted((ROOT / "kernel" / "arch").iterdir()):
        if d.is_dir() and (ROOT / "mk" / f"{d.name}.mk").exists():
            found.append(d.name)
    return found


def test_systems():
    """(name, mode, arches or None) of each systems/test*.toml; mode is that of the instance
    that ends the run."""
    systems = []
    for path in sorted((ROOT / "systems").glob("test*.toml")):
        with open(path, "rb") as f:
            spec = tomllib.load(f)
        mode = "?"
        for inst in spec.get("instance", []):
            if inst.get("shutdown_on_exit"):
                mode = inst.get("mode", "in-kernel")
        # A system may name the arches it runs on while a port catches up.
        only = spec.get("system", {}).get("arches")
        systems.append((path.stem, mode, only))
    return systems


# Tests never take the host's port 8080 (make run's): a guest's network has no
# forwarded port unless a test asks for one (tests/e2e/test_http.py picks a free one).
TEST_NETDEV = "user,id=n0"


def qemu_command(arch, system, netdev=TEST_NETDEV):
    """The QEMU command line `make run` would use, asked from the Makefile itself.

    `netdev` is the NIC's -netdev argument (make's NETDEV)."""
    probe = ("_test_py_print_qemu:\n"
             "\t@echo $(QEMU) $(QEMU_FLAGS) $(call QEMU_KERNEL_ARGS,$(IMAGE))\n")
    proc = subprocess.run(["make", "-s", "-f", "Makefile", "-f", "-", *make_vars(arch),
                           f"SYSTEM={system}", f"NETDEV={netdev}", "_test_py_print_qemu"],
                          cwd=ROOT, input=probe, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, check=True)
    return proc.stdout.split()


class Guest:
    """A QEMU process whose console output is collected by a thread.

    Stop it with stop(): it kills the process by its PID and waits for it."""

    def __init__(self, cmd, stdin, log_path):
        self.log_path = log_path
        self.buf = ""
        self.last_output = time.monotonic()
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdin=stdin, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            chunk = self.proc.stdout.read1(4096)
            if not chunk:
                break
            with self.cond:
                self.buf += chunk.decode("utf-8", "replace").replace("\r", "")
                self.last_output = time.monotonic()
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_for(self, pattern, timeout, start=0):
        """Waits until `pattern` (a regex) appears in the output after `start`.

        Returns the match, or None on timeout or when QEMU exits first."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                m = regex.search(self.buf, start)
                if m:
                    return m
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self.reader.is_alive()):
                    return None
                self.cond.wait(min(left, 0.5))

    def wait_idle(self, suffix, quiet, timeout):
        """Waits until the output ends with `suffix` and has not grown for `quiet` seconds.

        Returns the output's length then, or None on timeout or when QEMU exits."""
        deadline = time.monotonic() + timeout
        with self.cond:
            seen, since = len(self.buf), time.monotonic()
            while True:
                now = time.monotonic()
                if len(self.buf) != seen:
                    seen, since = len(self.buf), now
                elif self.buf.endswith(suffix) and now - since >= quiet:
                    return seen
                if now >= deadline or (self.proc.poll() is not None and not self.reader.is_alive()):
                    return None
                self.cond.wait(min(0.1, deadline - now))

    def send(self, text, delay=0.02):
        """Types text one byte at a time, so the UART's small FIFO never overflows."""
        for ch in text.encode():
            self.proc.stdin.write(bytes([ch]))
            self.proc.stdin.flush()
            time.sleep(delay)

    def output(self):
        with self.cond:
            return self.buf

    def wait_exit(self, timeout):
        """QEMU's exit status, or None if it is still running after timeout seconds."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        """Kills QEMU (by its PID) if it still runs, then saves the log; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.kill()
        status = self.proc.wait()
        self.reader.join(5)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path.write_text(self.output())
        return status


def judge_autotest(log, status, hung):
    """Judges one autotest boot from its console log and QEMU's exit status (None: killed).

    `hung` says why QEMU was given up on (a timeout or a silent hang), or is None.

    Besides each TEST FAIL line, a panic, a timeout, a missing or inconsistent
    sentinel and an exit status that disagrees with the result count as one
    failure each."""
    r = Result()
    seen_fail = 0
    for line in log.splitlines():
        if SENTINEL_RE.search(line):
            continue
        if PASS_RE.search(line):
            r.passed += 1
        elif m := FAIL_RE.search(line):
            seen_fail += 1
            r.fail(f"{m.group(1)}: {m.group(2)}")
    if "PANIC" in log:
        r.fail("the kernel panicked")
    if hung:
        r.fail(hung)
    sentinel = SENTINEL_RE.search(log)
    if sentinel is None:
        r.fail("no 'AUTOTEST DONE' sentinel")
    else:
        said = (int(sentinel.group(1)), int(sentinel.group(2)))
        if said != (r.passed, seen_fail):
            r.fail(f"the sentinel says {said[0]} passed, {said[1]} failed, but the log shows "
                   f"{r.passed} and {seen_fail}")
    if status is None:
        if not hung:
            r.fail("QEMU did not exit after the sentinel")
    elif (status == 0) != (r.failed == 0):
        r.fail(f"QEMU exit status {status} disagrees with the result")
    return r


# init's line for the autotest instance: the hash of the ELF bytes it loaded.
ELF_HASH_RE = re.compile(r"init: started autotest \(app autotest, [a-z-]+\) .*elf fnv1a64 ([0-9a-f]+)")


def run_autotest(arch, system):
    ok, out = run_make(make_vars(arch) + [f"SYSTEM={system}"], f"build-{arch}-{system}.log")
    if not ok:
        r = Result()
        r.fail(f"make ARCH={arch} SYSTEM={system} failed")
        return r, out
    guest = Guest(qemu_command(arch, system), subprocess.DEVNULL,
                  LOG_DIR / f"autotest-{arch}-{system}.log")
    # Wait for the sentinel, giving up early when the console has been silent too long.
    deadline = time.monotonic() + AUTOTEST_TIMEOUT
    hung = None
    while guest.wait_for(SENTINEL_RE.pattern, 5) is None:
        if guest.proc.poll() is not None:
            break
        if time.monotonic() > deadline:
            hung = f"timed out after {AUTOTEST_TIMEOUT} s"
            break
        if time.monotonic() - guest.last_output > HANG_TIMEOUT:
            hung = f"hung: no console output for {HANG_TIMEOUT} s"
            break
    status = guest.wait_exit(1 if hung else SHUTDOWN_GRACE)
    guest.stop()
    log = guest.output()
    return judge_autotest(log, status, hung), log


# ---- tier 3: end-to-end scripts ------------------------------------------------

def parse_e2e_output(text, rc):
    r = Result()
    summary = False
    for line in text.splitlines():
        if line.startswith("PASS"):
            r.passed += 1
        elif line.startswith("FAIL"):
            r.fail(line[4:].strip(" :"))
        elif SUMMARY_RE.match(line.strip()):
            summary = True
    if not summary:
        r.fail("no summary line")
    if rc != 0 and r.failed == 0:
        r.fail(f"exit status {rc} with no failure reported")
    return r


def run_e2e(script, arch):
    try:
        proc = subprocess.run([sys.executable, str(script), "--arch", arch], cwd=ROOT,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, errors="replace",
                              timeout=E2E_TIMEOUT)
        out, rc = proc.stdout, proc.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace") if isinstance(e.stdout, bytes) \
            else (e.stdout or "")
        r = parse_e2e_output(out, 1)
        r.fail(f"timed out after {E2E_TIMEOUT} s")
        return r, out
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    (LOG_DIR / f"e2e-{script.stem}-{arch}.out").write_text(out)
    return parse_e2e_output(out, rc), out


# ---- driver ------------------------------------------------------------------

def report(name, arch, mode, r, out, totals):
    print(f"suite {name} {arch} {mode}: {r.passed} passed, {r.failed} failed", flush=True)
    totals[0] += r.passed
    totals[1] += r.failed
    if r.failed:
        for p in r.problems:
            print(f"  - {p}")
        print("  --- last lines of the log ---")
        for line in tail(out).splitlines():
            print(f"  | {line}")
        print("  ---", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--arch", help="test only this arch")
    ap.add_argument("--skip", action="append", default=[], choices=["unit", "autotest", "e2e"],
                    help="leave out a tier (repeatable)")
    ap.add_argument("--build-dir", help="build into DIR/<arch> instead of build/<arch>")
    ap.add_argument("--judge-log", metavar="FILE",
                    help="only judge a saved autotest console log (with --status)")
    ap.add_argument("--status", type=int, default=None, help="QEMU exit status for --judge-log")
    args = ap.parse_args()

    global BUILD_ROOT
    BUILD_ROOT = args.build_dir
    totals = [0, 0]
    if args.judge_log:
        log = pathlib.Path(args.judge_log).read_text(errors="replace")
        report("autotest", "?", "?", judge_autotest(log, args.status, None), log, totals)
    else:
        if "unit" not in args.skip:
            r, out = run_unit()
            report("unit", "host", "host", r, out, totals)
            for script in sorted(ROOT.glob("tests/*/run.py")):  # specgen, fuzz (20 s)
                report(script.parent.name, "host", "host", *run_e2e(script, "host"), totals)
        selected = arches()
        if args.arch:
            if args.arch not in selected:
                print(f"test.py: no arch {args.arch} (have: {' '.join(selected)})")
                return 2
            selected = [args.arch]
        for arch in selected:
            if "autotest" not in args.skip:
                hashes = {}  # mode -> the autotest ELF hash the kernel reported
                for system, mode, only in test_systems():
                    if only is not None and arch not in only:
                        print(f"suite autotest {arch} {mode}: not run (systems/{system}.toml "
                              f"names {', '.join(only)})")
                        continue
                    r, out = run_autotest(arch, system)
                    report("autotest", arch, mode, r, out, totals)
                    m = ELF_HASH_RE.search(out)
                    if m:
                        hashes[mode] = m.group(1)
                if len(hashes) > 1:
                    r = Result()
                    if len(set(hashes.values())) == 1:
                        r.passed += 1
                    else:
                        r.fail(f"autotest ELF differs between modes: {hashes}")
                    report("same-binary", arch, "all", r, "", totals)
            if "e2e" not in args.skip:
                for script in sorted((ROOT / "tests" / "e2e").glob("test_*.py")):
                    r, out = run_e2e(script, arch)
                    report(script.stem.removeprefix("test_"), arch, "e2e", r, out, totals)
    print(f"{totals[0]} passed, {totals[1]} failed")
    return 1 if totals[1] else 0


if __name__ == "__main__":
    sys.exit(main())
