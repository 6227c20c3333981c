#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# `make debug`: boots the image halted under QEMU's gdb stub and attaches gdb-multiarch with kernel and app symbols.
"""QEMU starts halted (-s -S) with its console written to a log file (gdb owns
the terminal). gdb loads the kernel's symbols and connects. Apps are loaded
at addresses chosen at boot: after `continue` and Ctrl-C, the gdb command
`stellina-apps` reads the console log for init's "image at" lines and loads
each app's symbols at its address.
"""
import argparse
import os
import shlex
import signal
import subprocess
import sys

GDB_HELPER = r'''
python
import re
class StellinaApps(gdb.Command):
    """Load the symbols of every app init has started (from the console log)."""
    def __init__(self):
        super().__init__("stellina-apps", gdb.COMMAND_USER)
    def invoke(self, arg, from_tty):
        seen = set()
        with open(LOG, errors="replace") as f:
            for m in re.finditer(r"init: started (\S+) \(app (\S+), (\S+)\) image at (0x[0-9a-f]+)", f.read()):
                name, app, mode, base = m.groups()
                if name in seen:
                    continue
                seen.add(name)
                gdb.execute(f"add-symbol-file {APPS}/{app}.elf -o {base}", to_string=True)
                print(f"{name}: {app}.elf at {base} ({mode})")
StellinaApps()
end
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--apps-dir", required=True)
    ap.add_argument("--qemu", required=True, help="the QEMU command line of make run")
    ap.add_argument("--gdb", default="gdb-multiarch")
    args = ap.parse_args()
    image = os.path.abspath(args.image)
    log = os.path.join(os.path.dirname(image), "debug-console.log")
    qemu = shlex.split(args.qemu)
    # The console goes to a file: gdb needs the terminal.
    qemu = [a for a in qemu if a not in ("-nographic",)]
    qemu = [a if a != "mon:stdio" else f"file:{log}" for a in qemu]
    qemu += ["-display", "none", "-monitor", "none", "-s", "-S"]
    script = os.path.join(os.path.dirname(args.image), "debug.gdb")
    with open(script, "w") as f:
        f.write(f"python LOG = {log!r}; APPS = {os.path.abspath(args.apps_dir)!r}\n")
        f.write(GDB_HELPER)
        f.write(f"file {image}\ntarget remote localhost:1234\n")
    print(f"QEMU is halted at reset; console output goes to {log} (tail -f it).")
    print("In gdb: 'continue', Ctrl-C, then 'stellina-apps' to load app symbols.")
    proc = subprocess.Popen(qemu, stdin=subprocess.DEVNULL)
    try:
        subprocess.call([args.gdb, "-q", "-x", script])
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
