#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Follows docs/tutorial.md literally: writes its code blocks out, builds, boots the arch and checks the output it shows.
#
# Blocks whose info string has `file=PATH` are written to build/tutorial/src/PATH (never
# into the repo's apps/, protocols/ or systems/: the build is pointed there with APP_PATH,
# PROTOCOL_PATH and SYSTEM_SPEC). The block marked `output` lists lines that must appear
# in the console output, in that order. Prints PASS/FAIL per check and a final
# "N passed, N failed"; exit status 1 on any failure.
import argparse
import importlib.util
import pathlib
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
_spec = importlib.util.spec_from_file_location("stellina_test", ROOT / "tools" / "test.py")
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)

TUTORIAL = ROOT / "docs" / "tutorial.md"
BUILD_ROOT = "build/tutorial"
SRC = ROOT / BUILD_ROOT / "src"
BOOT_TIMEOUT = 120
FENCE_RE = re.compile(r"^```(\S*)(.*)$")
# Section 6 of the tutorial: the edits it suggests, in the order of the errors it shows.
ERROR_EDITS = [('env.greeter = "greeter"', 'env.greeter = "greter"'),
               ('config.name = "tutorial reader"',
                'config.name = "a name that is much longer than thirty-two bytes"')]


def extract(text):
    """Returns ({path: content}, [expected output lines], [error lines]) from the Markdown's
    fenced blocks."""
    files, output, errors = {}, [], []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE_RE.match(lines[i])
        if not m:
            i += 1
            continue
        attrs = m.group(2).split()
        body = []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        i += 1
        for a in attrs:
            if a.startswith("file="):
                files[a[5:]] = "\n".join(body) + "\n"
        if "output" in attrs:
            output = [ln for ln in body if ln.strip()]
        errors += [ln for ln in body if ln.startswith("error: ")]
    return files, output, errors


def check_errors(checks, files, errors):
    """Makes the tutorial's broken specs and compares the generator's message with the page's."""
    if len(errors) != len(ERROR_EDITS):
        checks.fail("errors", f"the page shows {len(errors)} errors, the test knows "
                              f"{len(ERROR_EDITS)} edits")
        return
    for (old, new), want in zip(ERROR_EDITS, errors):
        root = SRC.parent / "broken"
        shutil.rmtree(root, ignore_errors=True)
        for rel, content in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(content.replace(old, new) if rel.startswith("systems/")
                                    else content)
        proc = subprocess.run([sys.executable, str(ROOT / "tools" / "specgen"), "check",
                               "--system", "systems/tutorial.toml"], cwd=root,
                              capture_output=True, text=True)
        got = proc.stderr.strip()
        if proc.returncode == 1 and got == want:
            checks.ok(f"error as shown: {want}")
        else:
            checks.fail(f"error as shown: {want}", f"status {proc.returncode}, got {got!r}")
        shutil.rmtree(root, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="riscv64")
    ap.add_argument("--build-dir", help="ignored: the tutorial builds into build/tutorial")
    ap.add_argument("--write-only", action="store_true",
                    help="only write the tutorial's files into build/tutorial/src")
    args = ap.parse_args()
    checks = runner.Checks()
    files, expected, errors = extract(TUTORIAL.read_text())
    want_files = {"protocols/greet.toml", "apps/greeter/app.toml", "apps/greeter/main.c",
                  "apps/hello/app.toml", "apps/hello/main.c", "systems/tutorial.toml"}
    if set(files) != want_files or not expected:
        checks.fail("extract", f"found files {sorted(files)} and {len(expected)} output lines")
        return checks.finish()
    checks.ok("extract: 6 files and the expected output")
    check_errors(checks, files, errors)
    shutil.rmtree(SRC, ignore_errors=True)
    for rel, content in files.items():
        path = SRC / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    if args.write_only:
        print(f"wrote {len(files)} files into {SRC}")
        return 0

    src = SRC.relative_to(ROOT)
    runner.BUILD_ROOT = BUILD_ROOT
    if not checks.build(args.arch, "tutorial", f"build-{args.arch}-tutorial.log", [
            f"SYSTEM_SPEC={src}/systems/tutorial.toml", f"APP_PATH=apps {src}/apps",
            f"PROTOCOL_PATH=protocols {src}/protocols"]):
        return checks.finish()
    checks.ok("build")

    guest = runner.Guest(runner.qemu_command(args.arch, "tutorial"), subprocess.DEVNULL,
                         runner.LOG_DIR / f"e2e-tutorial-{args.arch}.log")
    try:
        guest.wait_for(re.escape(expected[-1]), BOOT_TIMEOUT)
        status = guest.wait_exit(30)
    finally:
        guest.stop()
    log = guest.output()
    pos = 0
    for line in expected:
        at = log.find(line, pos)
        if at < 0:
            checks.fail(f"output: {line}", "not in the console output (in order); last lines:\n"
                        + runner.tail(log, 15))
        else:
            checks.ok(f"output: {line}")
            pos = at + len(line)
    if status == 0:
        checks.ok("QEMU powered off with status 0")
    else:
        checks.fail("QEMU exit", f"status {status}")
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
