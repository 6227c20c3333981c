#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# End-to-end test of a kernel-mode stack overflow: boots systems/crash-kstack.toml and checks the kernel panics saying so, then QEMU exits.
#
# crashy_kstack runs in-kernel and recurses until its stack runs into the guard page below it.
# The fault cannot push its trap frame on that stack; the kernel must still report it (on an
# emergency stack) as a "kernel stack overflow" at a pc inside crashy's recursion, naming the
# thread and process, and power off instead of faulting again and again.
# Prints PASS/FAIL per check and a final "N passed, N failed"; exit status 1 on any failure.
import importlib.util
import pathlib
import re
import struct
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
_spec = importlib.util.spec_from_file_location("stellina_test", ROOT / "tools" / "test.py")
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)

SYSTEM = "crash-kstack"
TIMEOUT = 90  # seconds for boot, overflow and power-off (it takes a few)
PANIC_RE = re.compile(r"PANIC: kernel stack overflow in kernel mode at pc=(0x[0-9a-f]+) "
                      r"addr=(0x[0-9a-f]+) \(thread (\d+) of (\S+)\)")
IMAGE_RE = re.compile(r"init: started crashy_kstack \(app crashy, in-kernel\) image at (0x[0-9a-f]+)")
SHT_SYMTAB = 2


def elf_symbol(path, name):
    """(value, size) of symbol `name` in the ELF64 little-endian file at path, or None."""
    data = path.read_bytes()
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3a)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    for sh in sections:
        if sh[1] != SHT_SYMTAB:
            continue
        strtab = sections[sh[6]]
        for off in range(sh[4], sh[4] + sh[5], sh[9]):
            st_name, _, _, _, value, size = struct.unpack_from("<IBBHQQ", data, off)
            start = strtab[4] + st_name
            if data[start:data.index(b"\0", start)].decode() == name:
                return value, size
    return None


def main():
    args = runner.e2e_args()
    checks = runner.Checks()
    if not checks.build(args.arch, SYSTEM, f"build-{args.arch}-{SYSTEM}.log"):
        return checks.finish()
    build = ROOT / (runner.BUILD_ROOT or "build") / args.arch
    guest = runner.Guest(runner.qemu_command(args.arch, SYSTEM), subprocess.DEVNULL,
                         runner.LOG_DIR / f"e2e-kstack-{args.arch}.log")
    try:
        status = guest.wait_exit(TIMEOUT)
    finally:
        guest.stop()
    log = guest.output()

    checks.check("crashy_kstack started in-kernel and began to recurse",
                 "crashy_kstack: about to overflow the kernel-mode stack" in log, runner.tail(log))
    m = PANIC_RE.search(log)
    checks.check("the kernel panicked with 'kernel stack overflow', the thread and the process",
                 m is not None and m.group(4) == "crashy_kstack", "no such PANIC line")
    image = IMAGE_RE.search(log)
    sym = elf_symbol(build / "apps" / "crashy.elf", "recurse")
    if m and image and sym:
        offset = int(m.group(1), 16) - int(image.group(1), 16)
        checks.check("the panic's pc is in crashy's recurse()", sym[0] <= offset < sym[0] + sym[1],
                     f"pc {m.group(1)} is image offset {offset:#x}; recurse is at "
                     f"{sym[0]:#x}..{sym[0] + sym[1]:#x}")
    else:
        checks.fail("the panic's pc is in crashy's recurse()",
                    f"panic line {bool(m)}, image line {bool(image)}, symbol {sym}")
    checks.check("the fault was reported once (no fault while reporting it)",
                 log.count("*** kernel fault") == 1, f"{log.count('*** kernel fault')} reports")
    checks.check("QEMU exited by itself with a failure status",
                 status is not None and status != 0,
                 f"still running after {TIMEOUT} s" if status is None else f"exit status {status}")
    return checks.finish(log)


if __name__ == "__main__":
    sys.exit(main())
