#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# The harness behind `make bench`: Stellina and a Linux guest, same workloads, same QEMU, one table.
"""Usage: tools/bench.py [--smoke] [--arch ARCH ...] [--no-linux] [--no-stellina]
                      [--build-dir DIR] [--out FILE]

Runs, one after the other on this machine:
  * Stellina's apps/bench (systems/bench.toml in-kernel, systems/bench-user.toml user mode)
    on every arch under QEMU -icount shift=0,sleep=off: null syscall, channel round trips;
  * Stellina's web server (systems/bench-http.toml in-kernel, bench-http-user.toml in user
    mode, whose keys end in _user): boot to first HTTP response under icount and in wall
    time, wrk -c8, the smallest -m that still serves (bisection);
  * the Linux baseline guest of bench/linux/ for each arch Debian has a kernel for (x86_64
    on q35, arm64 on virt; both virtio-net-pci): getppid, pipe and unix socket pair round
    trips and boot to the first HTTP response under -icount; then, in wall time under
    plain TCG, the same HTTP figures against nginx and busybox httpd. Each Stellina arch is
    compared with Linux on the same arch, riscv64 (no Debian kernel) with x86_64's.
Every figure is read from what a guest printed or what wrk measured; a workload that fails
is recorded as "failed: <why>" (or "unavailable: <why>"), never as a number. Writes
build/bench/results.json ({"<arch>": {"stellina": {...}, "linux": {...}}}) and
build/bench/results.md (the table with the date, commit and machine load), prints the
table, and exits non-zero if any workload failed. --smoke runs one iteration of each
workload (systems/bench*-smoke.toml, a 1 s wrk, a single memory probe).
All traffic goes to 127.0.0.1; every QEMU runs under `timeout` and is stopped by its PID.
See docs/benchmarks.md.
"""
import argparse
import datetime
import importlib.util
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import tomllib
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("stellina_test", ROOT / "tools" / "test.py")
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)

OUT_DIR = ROOT / "build" / "bench"
LOG_DIR = OUT_DIR / "logs"
ICOUNT = ["-icount", "shift=0,sleep=off"]
# Not anchored at the line start: firmware escape codes may precede the first line.
BENCH_RE = re.compile(r"BENCH (\S+) ([^\n]*?)[ \t]*$", re.M)
MICRO_TIMEOUT = 300       # seconds for one icount boot (Stellina or Linux micro run)
HTTP_BOOT_TIMEOUT = 120   # seconds for a guest to answer its first HTTP request
PROBE_EVERY = 0.01        # seconds between tries at the first HTTP request (Booted.wait_http)
PROBES_MAX = 50           # tries open at once
LINUX_ITERATIONS = 10000
WRK_SECONDS = 10
# A wrk run before the measured one, not recorded: a guest's first requests after boot
# are slower (QEMU translates their code the first time; the servers' heaps grow), which
# gave Stellina x86_64 a p99 of 3.5-4.5 ms in the first run and 0.5 ms in the next.
WRK_WARMUP_SECONDS = 2
# Smallest memory: bisection between MEM_LOW (too small by definition, never booted) and
# MEM_HIGH, to MEM_STEP, in at most MEM_MAX_BOOTS boots.
MEM_LOW, MEM_HIGH, MEM_STEP, MEM_MAX_BOOTS = 0, 256, 4, 8  # MiB
HTTP_PATH = "/bytes/1024"
# The Linux baseline's arches: the QEMU machine (matching Stellina's on that arch) and console.
# Per arch: QEMU's machine, the console, and kernel arguments of that arch. arm64's
# kernel otherwise unmaps itself from user page tables (KPTI, on for KASLR), which
# Stellina does not do, and which under TCG costs a TLB flush at every kernel entry
# and exit: it halves nginx's requests per second (docs/benchmarks.md).
LINUX_QEMU = {
    "x86_64": (["qemu-system-x86_64", "-M", "q35"], "ttyS0", ""),
    "arm64": (["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a72"], "ttyAMA0", "kpti=0"),
}
LINUX_FALLBACK = "x86_64"  # what an arch without a Linux baseline (riscv64) is compared with


def failed(why):
    return f"failed: {why}"


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def log(msg):
    print(f"bench: {msg}", flush=True)


def save_log(name, text):
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    (LOG_DIR / name).write_text(text)


def parse_bench_lines(text):
    """{key: int} for "BENCH key N", {key: "failed: ..."} for "BENCH key failed ..."."""
    out = {}
    for key, value in BENCH_RE.findall(text):
        if re.fullmatch(r"\d+", value):
            out[key] = int(value)
        elif value.startswith("failed"):
            out[key] = failed(value[len("failed"):].strip() or "the guest said so")
    return out


def run_timed(cmd, timeout, log_name):
    """Runs cmd under coreutils `timeout` (so QEMU dies even if this script does); returns output."""
    proc = subprocess.run(["timeout", "--kill-after=5", str(timeout)] + cmd, cwd=ROOT,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, errors="replace", text=True)
    out = proc.stdout.replace("\r", "")
    save_log(log_name, out + f"\n[exit status {proc.returncode}]\n")
    return out, proc.returncode


# ---- Stellina micro benchmarks ----------------------------------------------------

def system_arches(name):
    """The arches systems/<name>.toml runs on (None: all), or raises OSError."""
    with open(ROOT / "systems" / f"{name}.toml", "rb") as f:
        return tomllib.load(f).get("system", {}).get("arches")


def stellina_micro(arch, system, expect):
    """Builds and boots `system` under icount; returns {key: value} for the `expect` keys."""
    only = system_arches(system)
    if only is not None and arch not in only:
        return {k: f"unavailable: systems/{system}.toml does not run on {arch} yet" for k in expect}
    ok, out = runner.run_make(runner.make_vars(arch) + [f"SYSTEM={system}"],
                              f"bench-build-{arch}-{system}.log")
    if not ok:
        return {k: failed(f"make ARCH={arch} SYSTEM={system} (see build/test-logs)") for k in expect}
    cmd = runner.qemu_command(arch, system) + ICOUNT
    text, status = run_timed(cmd, MICRO_TIMEOUT, f"stellina-{arch}-{system}.log")
    got = parse_bench_lines(text)
    done = re.search(r"BENCH DONE", text) is not None
    why = "PANIC" if "PANIC" in text else ("timeout" if status == 124 else f"no BENCH DONE (exit {status})")
    result = {k: failed(why if not done else "no such line") for k in expect}
    # Every figure the guest printed (boot_to_app_insns_* too), not just the expected ones.
    result.update({k: v for k, v in got.items() if k not in ("iterations", "mode")})
    return result


# ---- HTTP: boot to first response, wrk, smallest memory ---------------------------

def url(port):
    """What every HTTP figure fetches: the same 1 KiB body from every server (Stellina's
    http app generates /bytes/N; the Linux guest has the file www/bytes/1024)."""
    return f"http://127.0.0.1:{port}{HTTP_PATH}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_ok(url, timeout=2.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status == 200
    except Exception:  # refused, reset, timeout: not serving yet
        return False


# The listen backlog shim (tools/listen_backlog.c) every QEMU serving HTTP runs with,
# Stellina's and Linux's alike: without it, wrk's 8 connections opened at once lost
# handshakes in the host kernel, and their requests waited 200 and 400 ms for TCP's
# retransmissions, in one run in three (p99 latencies of 100 ms, of any guest).
LISTEN_SHIM = None


class Booted:
    """A QEMU started under `timeout` (with LISTEN_SHIM preloaded), stopped by PID in stop()."""

    def __init__(self, cmd, limit, log_name):
        self.log_name = log_name
        self.started = time.monotonic()
        preload = ["env", f"LD_PRELOAD={LISTEN_SHIM}"] if LISTEN_SHIM else []  # env execs QEMU
        self.proc = subprocess.Popen(["timeout", "--kill-after=5", str(limit)] + preload + cmd,
                                     cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)

    def wait_http(self, url, deadline_s):
        """Seconds from QEMU's start to the first HTTP 200 at url, or None (bounded).

        A new try starts every PROBE_EVERY seconds, each in its own thread with a
        1 s timeout, and the first 200 wins: QEMU accepts a connection on the
        forwarded port at once and holds it while the guest cannot answer yet, so
        one try after another would measure their timeouts (1 s tries measured
        1.05 s for every Stellina arch). At most PROBES_MAX tries are open at once."""
        done = threading.Event()
        answered, tries = [], []
        open_tries = threading.Semaphore(PROBES_MAX)

        def attempt():
            try:
                if not done.is_set() and http_ok(url, timeout=1.0):
                    answered.append(time.monotonic() - self.started)
                    done.set()
            finally:
                open_tries.release()

        while not done.is_set() and time.monotonic() - self.started < deadline_s:
            if self.proc.poll() is not None:
                break
            if open_tries.acquire(timeout=PROBE_EVERY):
                tries.append(threading.Thread(target=attempt, daemon=True))
                tries[-1].start()
            done.wait(PROBE_EVERY)
        done.set()
        for t in tries:  # the open ones end within their 1 s timeout
            t.join(2)
        return min(answered) if answered else None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()  # `timeout` passes it on to QEMU
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        out, _ = self.proc.communicate()
        save_log(self.log_name, out.decode("utf-8", "replace").replace("\r", ""))


def ensure_wrk():
    if shutil.which("wrk"):
        return None
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    return None if shutil.which("wrk") else "wrk is not installed (apt-get install wrk)"


def wrk(url, seconds, log_name):
    """(requests per second, p99 latency in ms) from wrk -c8 keep-alive, or a failure string."""
    why = ensure_wrk()
    if why:
        return failed(why), failed(why)
    cmd = ["timeout", str(seconds + 30), "wrk", "-t1", "-c8", f"-d{seconds}s", "--latency", url]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          stdin=subprocess.DEVNULL)
    save_log(log_name, proc.stdout)
    rps = re.search(r"Requests/sec:\s*([\d.]+)", proc.stdout)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\b", proc.stdout, re.M)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", proc.stdout)
    if proc.returncode != 0 or not rps or not p99:
        return failed(f"wrk exit {proc.returncode}"), failed(f"wrk exit {proc.returncode}")
    if errors:
        return failed(f"{errors.group(1)} non-2xx responses"), failed("non-2xx responses")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return round(float(rps.group(1)), 1), round(float(p99.group(1)) * scale, 3)


def min_memory(make_cmd, url_of, deadline_s, smoke, tag):
    """Smallest -m (MiB) that serves HTTP, by a bounded bisection; or a failure string.

    make_cmd(mib, port) gives the QEMU command. The answer is a size that was seen
    serving; the largest size seen failing is logged next to it."""
    def serves(mib):
        port = free_port()
        g = Booted(make_cmd(mib, port), deadline_s + 10, f"{tag}-mem-{mib}.log")
        ok = g.wait_http(url_of(port), deadline_s) is not None
        g.stop()
        log(f"{tag}: -m {mib}M {'serves' if ok else 'does not serve'}")
        return ok

    hi, lo, boots = MEM_HIGH, MEM_LOW, 1
    if not serves(hi):
        return failed(f"no HTTP response even with -m {hi}M")
    if smoke:
        return hi
    while hi - lo > MEM_STEP and boots < MEM_MAX_BOOTS:
        mid = (lo + hi) // 2 // MEM_STEP * MEM_STEP
        mid = max(mid, lo + MEM_STEP)
        boots += 1
        if serves(mid):
            hi = mid
        else:
            lo = mid
    return hi


def http_figures(tag, make_cmd, with_busybox, smoke):
    """boot_to_http_ms, http_rps, http_p99_ms (and busybox's) of one guest; min_mem_mib."""
    res = {}
    port, bport = free_port(), free_port()
    secs = 1 if smoke else WRK_SECONDS
    g = Booted(make_cmd(MEM_HIGH, port, bport), HTTP_BOOT_TIMEOUT + 4 * secs + 60, f"{tag}-http.log")
    try:
        t = g.wait_http(url(port), HTTP_BOOT_TIMEOUT)
        if t is None:
            return {k: failed(f"no HTTP response within {HTTP_BOOT_TIMEOUT} s") for k in
                    ["boot_to_http_ms", "http_rps", "http_p99_ms", "min_mem_mib"]}
        res["boot_to_http_ms"] = round(t * 1000)
        if not smoke:
            wrk(url(port), WRK_WARMUP_SECONDS, f"{tag}-wrk-warmup.log")
        res["http_rps"], res["http_p99_ms"] = wrk(url(port), secs, f"{tag}-wrk.log")
        if with_busybox:
            if not smoke:
                wrk(url(bport), WRK_WARMUP_SECONDS, f"{tag}-wrk-busybox-warmup.log")
            res["http_rps_busybox"], res["http_p99_ms_busybox"] = wrk(
                url(bport), secs, f"{tag}-wrk-busybox.log")
    finally:
        g.stop()
    # A size that is too small either panics (QEMU exits at once) or never answers.
    deadline = max(45.0, 4 * res["boot_to_http_ms"] / 1000)
    res["min_mem_mib"] = min_memory(lambda mib, p: make_cmd(mib, p, free_port()),
                                    url, deadline, smoke, tag)
    return res


# ---- the Linux baseline -----------------------------------------------------------

def linux_cmd(arch, kdir, mib, extra_append="", net_fwd=()):
    machine, console, arch_append = LINUX_QEMU[arch]
    fwd = "".join(f",hostfwd=tcp:127.0.0.1:{h}-:{g}" for h, g in net_fwd)
    return machine + [
        "-m", f"{mib}M", "-smp", "1", "-nographic", "-no-reboot",
        "-kernel", str(kdir / "vmlinuz"), "-initrd", str(kdir / "initrd.gz"),
        "-append", " ".join(filter(None, [f"console={console} quiet panic=-1", arch_append,
                                          extra_append])),
        "-netdev", f"user,id=n0{fwd}", "-device", "virtio-net-pci,netdev=n0,romfile="]


def linux_figures(arch, smoke):
    keys = ["null_syscall_insns_user", "ipc_rtt_8b_insns_pipe", "ipc_rtt_1k_insns_pipe",
            "ipc_rtt_8b_insns_unix", "ipc_rtt_1k_insns_unix", "boot_to_http_insns"]
    kdir = OUT_DIR / "linux" / arch
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "linux" / "build.py"),
                           "--arch", arch, "--out", str(kdir)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL)
    save_log(f"linux-{arch}-build.log", proc.stdout)
    if proc.returncode != 0:
        why = failed("bench/linux/build.py: " + proc.stdout.strip().splitlines()[-1])
        return {k: why for k in keys + ["boot_to_http_ms", "http_rps", "http_p99_ms", "min_mem_mib"]}
    iters = 1 if smoke else LINUX_ITERATIONS
    log(f"linux {arch}: micro benchmarks under icount")
    text, status = run_timed(
        linux_cmd(arch, kdir, MEM_HIGH, f"bench_iters={iters} bench_exit=1") + ICOUNT,
        MICRO_TIMEOUT, f"linux-{arch}-micro.log")
    got = parse_bench_lines(text)
    why = "timeout" if status == 124 else f"no such line (exit {status})"
    res = {k: got.get(k, failed(why)) for k in keys}
    log(f"linux {arch}: HTTP (nginx, busybox httpd) in wall time")
    res.update(http_figures(
        f"linux-{arch}", lambda mib, p, bp: linux_cmd(arch, kdir, mib, "", [(p, 80), (bp, 8081)]),
        True, smoke))
    return res


# ---- Stellina HTTP ----------------------------------------------------------------

def stellina_http(arch, smoke, system, suffix):
    """The HTTP figures of systems/<system>.toml, each key ending in `suffix`."""
    keys = ["boot_to_http_insns", "boot_to_http_ms", "http_rps", "http_p99_ms", "min_mem_mib"]
    res = _stellina_http(arch, smoke, system, keys)
    return {k + suffix: v for k, v in res.items()}


def _stellina_http(arch, smoke, system, keys):
    if not (ROOT / "systems" / f"{system}.toml").exists():
        return {k: f"unavailable: no systems/{system}.toml" for k in keys}
    only = system_arches(system)
    if only is not None and arch not in only:
        return {k: f"unavailable: systems/{system}.toml does not run on {arch} yet" for k in keys}
    ok, _ = runner.run_make(runner.make_vars(arch) + [f"SYSTEM={system}"],
                            f"bench-build-{arch}-{system}.log")
    if not ok:
        return {k: failed(f"make ARCH={arch} SYSTEM={system} (see build/test-logs)") for k in keys}
    base = runner.qemu_command(arch, system)

    def cmd(mib, port, _bport=None):
        c = list(base)
        if "-m" in c:
            c[c.index("-m") + 1] = f"{mib}M"
        fwd = f"hostfwd=tcp:127.0.0.1:{port}-:80"
        if "-netdev" in c:
            # Keep the Makefile's NIC and network; only the forwarded port is ours.
            i = c.index("-netdev") + 1
            c[i] = ",".join([p for p in c[i].split(",") if not p.startswith("hostfwd=")] + [fwd])
        else:
            c += ["-netdev", f"user,id=bench0,{fwd}", "-device", "virtio-net-device,netdev=bench0"]
        return c

    res = {"boot_to_http_insns": icount_boot_to_http(cmd, f"stellina-{arch}-{system}")}
    res.update(http_figures(f"stellina-{arch}-{system}", cmd, False, smoke))
    return res


def icount_boot_to_http(make_cmd, tag):
    """Guest instructions from boot to the first HTTP response, or a failure string.

    Boots under icount and polls /api/status until it answers; the first answer carries
    the guest's busy_ms when it was made: its uptime minus the time its CPU was idle
    (1 ms = 1,000,000 instructions; under sleep=off idle time skips ahead, so uptime
    itself would count the DHCP server's answers arriving late in guest time)."""
    port = free_port()
    g = Booted(make_cmd(MEM_HIGH, port) + ICOUNT, HTTP_BOOT_TIMEOUT + 10, f"{tag}-icount-http.log")
    try:
        while time.monotonic() - g.started < HTTP_BOOT_TIMEOUT and g.proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=1) as r:
                    busy = json.loads(r.read()).get("busy_ms")
                if is_number(busy):
                    return int(busy) * 1000000
                return failed("/api/status has no busy_ms")
            except ValueError:
                return failed("/api/status is not JSON")
            except Exception:  # not serving yet
                time.sleep(0.02)
    finally:
        g.stop()
    return failed(f"no answer from /api/status within {HTTP_BOOT_TIMEOUT} s under icount")


# ---- the table ---------------------------------------------------------------------

# (label, Stellina key, Linux key, unit)
ROWS = [
    ("null syscall, user mode / getppid", "null_syscall_insns_user", "null_syscall_insns_user", "insns"),
    ("null syscall, in-kernel / getppid", "null_syscall_insns_kernel", "null_syscall_insns_user", "insns"),
    ("IPC round trip 8 B, user / pipe", "ipc_rtt_8b_insns_user", "ipc_rtt_8b_insns_pipe", "insns"),
    ("IPC round trip 8 B, in-kernel / pipe", "ipc_rtt_8b_insns_kernel", "ipc_rtt_8b_insns_pipe", "insns"),
    ("IPC round trip 8 B, user / unix socket", "ipc_rtt_8b_insns_user", "ipc_rtt_8b_insns_unix", "insns"),
    ("IPC round trip 1 KiB, user / pipe", "ipc_rtt_1k_insns_user", "ipc_rtt_1k_insns_pipe", "insns"),
    ("IPC round trip 1 KiB, in-kernel / pipe", "ipc_rtt_1k_insns_kernel", "ipc_rtt_1k_insns_pipe", "insns"),
    ("boot to first HTTP response, in-kernel server", "boot_to_http_insns", "boot_to_http_insns", "insns"),
    ("boot to first HTTP response, wall time", "boot_to_http_ms", "boot_to_http_ms", "ms"),
    ("HTTP requests/s, wrk -c8 / nginx", "http_rps", "http_rps", "req/s"),
    ("HTTP requests/s, wrk -c8 / busybox httpd", "http_rps", "http_rps_busybox", "req/s"),
    ("HTTP p99 latency / nginx", "http_p99_ms", "http_p99_ms", "ms"),
    ("HTTP p99 latency / busybox httpd", "http_p99_ms", "http_p99_ms_busybox", "ms"),
    ("smallest memory serving HTTP", "min_mem_mib", "min_mem_mib", "MiB"),
    ("boot to first HTTP response, user-mode server", "boot_to_http_insns_user", "boot_to_http_insns", "insns"),
    ("HTTP requests/s, user-mode server / nginx", "http_rps_user", "http_rps", "req/s"),
    ("HTTP p99 latency, user-mode server / nginx", "http_p99_ms_user", "http_p99_ms", "ms"),
    ("smallest memory serving HTTP, user-mode server", "min_mem_mib_user", "min_mem_mib", "MiB"),
]


def fmt(v):
    if is_number(v):
        return f"{v:,}" if isinstance(v, int) else f"{v:,.1f}"
    return str(v).split(":")[0] if v else "—"


def linux_for(arch, results):
    """The Linux baseline arch `arch` is compared with: its own if measured, else the fallback's."""
    return arch if "linux" in results.get(arch, {}) else LINUX_FALLBACK


def table(results):
    """One row per figure: each Linux baseline's value, then each arch's Stellina value with
    its ratio to the Linux it is compared with (linux_for)."""
    linuxes = [a for a in LINUX_QEMU if "linux" in results.get(a, {})]
    arches = [a for a, r in results.items() if "stellina" in r]
    lines = ["| figure | unit | " + " | ".join(f"Linux {a}" for a in linuxes) + " | " +
             " | ".join(f"Stellina {a} (× Linux {linux_for(a, results)})" for a in arches) + " |",
             "|---|---|" + "---:|" * (len(linuxes) + len(arches))]
    for label, sk, lk, unit in ROWS:
        cells = [fmt(results[a]["linux"].get(lk)) for a in linuxes]
        for a in arches:
            s = results[a]["stellina"].get(sk)
            l = results.get(linux_for(a, results), {}).get("linux", {}).get(lk)
            ratio = f" ({s / l:.2f}×)" if is_number(s) and is_number(l) and l else ""
            cells.append(fmt(s) + ratio)
        lines.append(f"| {label} | {unit} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def failures(results):
    out = []
    for arch, r in results.items():
        for who, figs in r.items():
            for k, v in figs.items():
                if isinstance(v, str) and v.startswith("failed"):
                    out.append(f"{arch} {who} {k}: {v}")
    return out


def commit():
    p = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    return (p.stdout.strip() or "unknown") + ("+changes" if dirty.strip() else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="one iteration of each workload")
    ap.add_argument("--arch", action="append", help="Stellina arch (repeatable; default: all)")
    ap.add_argument("--no-linux", action="store_true", help="leave out the Linux baseline")
    ap.add_argument("--no-stellina", action="store_true", help="only the Linux baseline")
    ap.add_argument("--build-dir", help="build Stellina into DIR/<arch>")
    ap.add_argument("--out", default=str(OUT_DIR / "results.json"))
    args = ap.parse_args()
    runner.BUILD_ROOT = args.build_dir
    global LISTEN_SHIM
    LISTEN_SHIM = runner.listen_shim()
    if LISTEN_SHIM is None:
        print("tools/bench.py: cannot build the listen backlog shim (tools/test.py)")
        return 1
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    arches = args.arch or runner.arches()
    suffix = "-smoke" if args.smoke else ""
    results = {}
    if not args.no_stellina:
        for arch in arches:
            log(f"stellina {arch}: micro benchmarks under icount")
            st = {}
            st.update(stellina_micro(arch, f"bench{suffix}", ["null_syscall_insns_kernel",
                      "ipc_rtt_8b_insns_kernel", "ipc_rtt_1k_insns_kernel"]))
            st.update(stellina_micro(arch, f"bench-user{suffix}", ["null_syscall_insns_user",
                      "ipc_rtt_8b_insns_user", "ipc_rtt_1k_insns_user"]))
            # The web server with its network stack in-kernel, then all of it in user mode.
            st.update(stellina_http(arch, args.smoke, "bench-http", ""))
            st.update(stellina_http(arch, args.smoke, "bench-http-user", "_user"))
            results.setdefault(arch, {})["stellina"] = st
    if not args.no_linux:
        # Linux on each chosen arch that has a baseline; riscv64 alone gets the fallback's.
        for arch in [a for a in LINUX_QEMU if a in arches] or [LINUX_FALLBACK]:
            results.setdefault(arch, {})["linux"] = linux_figures(arch, args.smoke)
    load_after = os.getloadavg()[0]

    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    tbl = table(results)
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    head = (f"Run {when}, commit {commit()}{', smoke (1 iteration)' if args.smoke else ''}; "
            f"host load average {load_before:.1f} before, {load_after:.1f} after "
            f"({os.cpu_count()} cores); {time.monotonic() - started:.0f} s.")
    (out.parent / (out.stem + ".md")).write_text(head + "\n\n" + tbl + "\n")
    print(head)
    print(tbl)
    bad = failures(results)
    for b in bad:
        print(f"  FAILED {b}")
    print(f"results: {out}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
