#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Host tests of tools/specgen: malformed specs must fail with "path: key: what", good ones generate working C.
#
# Prints PASS/FAIL per check and a final "N passed, N failed"; exit status 1 on any failure.
# Accepts (and ignores) --arch, like the e2e scripts, so tools/test.py can run it as a host suite.
import argparse
import importlib.util
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
SPECGEN = ROOT / "tools" / "specgen"
HERE = pathlib.Path(__file__).resolve().parent
# tools/test.py's Checks prints what its suite parser reads back.
_spec = importlib.util.spec_from_file_location("stellina_test", ROOT / "tools" / "test.py")
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)
OUT = ROOT / "build" / "host" / "specgen"

# A small valid tree every malformed case starts from.
BASE = {
    "protocols/ping.toml": """
[protocol]
name = "ping"
description = "Ping"

[[message]]
name = "ping"
kind = 0x100
description = "A ping."
fields = [{ name = "text", type = "string", max_len = 8 }, { name = "n", type = "u32" }]
reply = "pong"

[[message]]
name = "pong"
kind = 0x101
description = "The answer."
fields = [{ name = "n", type = "u32" }]
""",
    "apps/srv/app.toml": """
[app]
name = "srv"
description = "Server"
serves = ["ping"]
""",
    "apps/cli/app.toml": """
[app]
name = "cli"
description = "Client"

[env.p]
type = "service"
protocol = "ping"

[env.count]
type = "u8"
default = 3

[env.who]
type = "string"
max_len = 4
default = "me"

[env.loud]
type = "bool"
""",
    "systems/s.toml": """
[system]
description = "Test system"

[[instance]]
name = "srv"
app = "srv"

[[instance]]
name = "cli"
app = "cli"
mode = "user"
restart = "on-failure"
shutdown_on_exit = true
env.p = "srv"
config.loud = true
config.who = "you"
""",
}

PLAN = """instance srv srv in-kernel never 0 0
instance cli cli user on-failure 1 0
env cli p srv ping
config cli {config}
"""

# Past init's tables (kernel/core/plan.h): 31 more servers make 33 instances; cli with three
# services and 21 more such clients make 66 wires.
MANY_INSTANCES = "".join(f'\n[[instance]]\nname = "s{i}"\napp = "srv"\n' for i in range(31))
THREE_SERVICES = "".join(f'[env.{k}]\ntype = "service"\nprotocol = "ping"\noptional = true\n\n'
                         for k in ("q", "r"))
MANY_WIRES = 'env.q = "srv"\nenv.r = "srv"\n' + "".join(
    f'\n[[instance]]\nname = "c{i}"\napp = "cli"\nconfig.loud = true\n'
    f'env.p = "srv"\nenv.q = "srv"\nenv.r = "srv"\n' for i in range(21))

# (name, {file: new content or (old, new) replacement}, "path: key: " prefix, text in the message)
CASES = [
    ("bad TOML", {"apps/cli/app.toml": ("[env.p]", "[env.p")},
     "apps/cli/app.toml: (toml): ", "bad TOML"),
    ("unknown env type", {"apps/cli/app.toml": ('type = "u8"', 'type = "u128"')},
     "apps/cli/app.toml: env.count.type: ", "unknown type 'u128'"),
    ("missing app description", {"apps/srv/app.toml": ('description = "Server"', "")},
     "apps/srv/app.toml: app.description: ", "missing"),
    ("unknown protocol", {"apps/cli/app.toml": ('protocol = "ping"', 'protocol = "pong"')},
     "apps/cli/app.toml: env.p.protocol: ", "unknown protocol 'pong'"),
    ("protocol name too long", {"protocols/abcdefghijklmnopqrstuvwx.toml": """
[protocol]
name = "abcdefghijklmnopqrstuvwx"
description = "A protocol whose name init could not pass on"
"""},
     "protocols/abcdefghijklmnopqrstuvwx.toml: protocol.name: ", "longer than 23 characters"),
    ("unknown served protocol", {"apps/srv/app.toml": ('["ping"]', '["pang"]')},
     "apps/srv/app.toml: app.serves: ", "unknown protocol 'pang'"),
    ("wired to a missing instance", {"systems/s.toml": ('env.p = "srv"', 'env.p = "nope"')},
     "systems/s.toml: instance[1].env.p: ", "no instance named 'nope'"),
    ("wired to the wrong protocol", {"apps/srv/app.toml": ('serves = ["ping"]', "")},
     "systems/s.toml: instance[1].env.p: ", "does not serve protocol 'ping'"),
    ("service not wired", {"systems/s.toml": ('env.p = "srv"', "")},
     "systems/s.toml: instance[1].env.p: ", "needs a 'ping' service"),
    ("duplicate instance names", {"systems/s.toml": ('name = "cli"', 'name = "srv"')},
     "systems/s.toml: instance[1].name: ", "duplicate instance name 'srv'"),
    ("duplicate message names", {"protocols/ping.toml": ('name = "pong"', 'name = "ping"')},
     "protocols/ping.toml: message[1].name: ", "duplicate message name 'ping'"),
    ("kind collision", {"protocols/ping.toml": ("kind = 0x101", "kind = 0x100")},
     "protocols/ping.toml: message[1].kind: ", "0x100 is already the kind of message 'ping'"),
    ("kind below the protocol base", {"protocols/ping.toml": ("kind = 0x101", "kind = 4")},
     "protocols/ping.toml: message[1].kind: ", "must be an integer from 0x100"),
    ("string without max_len", {"protocols/ping.toml": (', max_len = 8', "")},
     "protocols/ping.toml: message[0].fields[0].max_len: ", "a string needs a maximum length"),
    ("unknown field type", {"protocols/ping.toml": ('type = "u32" }]\nreply', 'type = "float" }]\nreply')},
     "protocols/ping.toml: message[0].fields[1].type: ", "unknown type 'float'"),
    ("reply to an unknown message", {"protocols/ping.toml": ('reply = "pong"', 'reply = "pang"')},
     "protocols/ping.toml: message[0].reply: ", "no message named 'pang'"),
    ("message over 4096 bytes", {"protocols/ping.toml": ("max_len = 8", "max_len = 4094")},
     "protocols/ping.toml: message[0].fields: ", "more than a message holds (4096)"),
    ("five handles", {"protocols/ping.toml": (
        'fields = [{ name = "n", type = "u32" }]',
        'fields = [' + ", ".join(f'{{ name = "h{i}", type = "handle" }}' for i in range(5)) + ']')},
     "protocols/ping.toml: message[1].fields: ", "5 handles, more than a message carries (4)"),
    ("config of the wrong type", {"systems/s.toml": ('config.who = "you"', "config.who = 7")},
     "systems/s.toml: instance[1].config.who: ", "must be a string"),
    ("config out of range", {"systems/s.toml": ("config.loud = true", "config.loud = true\nconfig.count = 300")},
     "systems/s.toml: instance[1].config.count: ", "300 is out of range (0 to 255)"),
    ("config string too long", {"systems/s.toml": ('config.who = "you"', 'config.who = "everyone"')},
     "systems/s.toml: instance[1].config.who: ", "8 bytes, longer than max_len 4"),
    ("unknown config key", {"systems/s.toml": ("config.loud = true", "config.lod = true")},
     "systems/s.toml: instance[1].config.lod: ", "has no config value 'lod'"),
    ("config without default not given", {"systems/s.toml": ("config.loud = true", "")},
     "systems/s.toml: instance[1].config.loud: ", "missing (app 'cli' has no default for it)"),
    ("default out of range", {"apps/cli/app.toml": ("default = 3", "default = 3\nmax = 2")},
     "apps/cli/app.toml: env.count.default: ", "3 is out of range (0 to 2)"),
    ("unknown app", {"systems/s.toml": ('app = "cli"', 'app = "client"')},
     "systems/s.toml: instance[1].app: ", "no app named 'client'"),
    ("bad mode", {"systems/s.toml": ('mode = "user"', 'mode = "wasm"')},
     "systems/s.toml: instance[1].mode: ", "'wasm' is not one of in-kernel, user"),
    ("typo in an instance key", {"systems/s.toml": ('restart = "on-failure"', 'restrat = "always"')},
     "systems/s.toml: instance[1].restrat: ", "unknown key"),
    ("console in the system spec", {"systems/s.toml": ("mode = \"user\"", "mode = \"user\"\nconsole = true")},
     "systems/s.toml: instance[1].console: ", "[env.<key>] type = \"console\""),
    ("app name differs from its folder", {"apps/srv/app.toml": ('name = "srv"', 'name = "server"')},
     "apps/srv/app.toml: app.name: ", "must match the app's folder name 'srv'"),
    ("duplicate field names", {"protocols/ping.toml": ('{ name = "n", type = "u32" }]\nreply',
                                                       '{ name = "text", type = "u32" }]\nreply')},
     "protocols/ping.toml: message[0].fields[1].name: ", "duplicate field name 'text'"),
    ("bad TOML in a system", {"systems/s.toml": ('env.p = "srv"', 'env.p = srv')},
     "systems/s.toml: (toml): ", "bad TOML"),
    ("device key too long", {"apps/srv/app.toml": ('serves = ["ping"]', 'serves = ["ping"]\n'
                                                  '[env.a_very_long_device_key]\ntype = "device"\n'
                                                  'compatible = "virtio,mmio"')},
     "apps/srv/app.toml: env.a_very_long_device_key: ", "a device key may have at most 18"),
    ("compatible string too long", {"apps/srv/app.toml": ('serves = ["ping"]', 'serves = ["ping"]\n'
                                                         '[env.nic]\ntype = "device"\n'
                                                         'compatible = "vendor,a-very-long-device"')},
     "apps/srv/app.toml: env.nic.compatible: ", "may have at most 23 characters"),
    ("more instances than init takes",
     {"systems/s.toml": ('config.who = "you"\n', 'config.who = "you"\n' + MANY_INSTANCES)},
     "systems/s.toml: instance: ", "33 instances; init takes at most 32"),
    ("more wires than init takes",
     {"apps/cli/app.toml": ("[env.count]", THREE_SERVICES + "[env.count]"),
      "systems/s.toml": ('config.who = "you"\n', 'config.who = "you"\n' + MANY_WIRES)},
     "systems/s.toml: instance: ", "66 services wired and 0 devices needed"),
    ("wiring to itself", {"systems/s.toml": ('env.p = "srv"', 'env.p = "cli"')},
     "systems/s.toml: instance[1].env.p: ", "an instance cannot be its own server"),
    ("bad sized type", {"protocols/ping.toml": ('type = "string", max_len = 8', 'type = "string(0)"')},
     "protocols/ping.toml: message[0].fields[0].type: ", "must be an integer from 1 to 4094"),
]


def write_tree(root, files):
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def specgen(root, *args):
    return subprocess.run([sys.executable, str(SPECGEN), "--apps", "apps", "--protocols",
                           "protocols", *args], cwd=root, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


def run_malformed(checks, tmp):
    for name, changes, prefix, text in CASES:
        files = dict(BASE)
        for rel, change in changes.items():
            if isinstance(change, tuple):
                old, new = change
                if old not in files[rel]:
                    checks.fail(f"malformed: {name}", f"test bug: '{old}' not in {rel}")
                    break
                files[rel] = files[rel].replace(old, new, 1)
            else:
                files[rel] = change
        else:
            root = tmp / name.replace(" ", "_")
            write_tree(root, files)
            proc = specgen(root, "check", "--system", "systems/s.toml")
            lines = proc.stderr.strip().splitlines()
            want = f"error: {prefix}"
            if proc.returncode != 1:
                checks.fail(f"malformed: {name}", f"exit status {proc.returncode}, want 1 "
                                                  f"(stderr: {proc.stderr.strip()})")
            elif len(lines) != 1 or not lines[0].startswith(want) or text not in lines[0]:
                checks.fail(f"malformed: {name}", f"got {proc.stderr.strip()!r}, want a line "
                                                  f"starting {want!r} containing {text!r}")
            else:
                checks.ok(f"malformed: {name}")


def run_good(checks, tmp):
    root = tmp / "good"
    write_tree(root, BASE)
    proc = specgen(root, "plan", "--system", "systems/s.toml")
    # count=3 (default) u8, who="you" u16 len + 3 bytes, loud=true: payload 03 0300 796f75 01.
    payload = bytes([3, 3, 0]) + b"you" + bytes([1])
    sys.path.insert(0, str(SPECGEN))
    from system import fnv1a32  # noqa: E402
    schema = fnv1a32(b"cli\ncount:u8:0\nwho:string:4\nloud:bool:0\n")
    blob = (0x47464353).to_bytes(4, "little") + schema.to_bytes(4, "little") + \
        len(payload).to_bytes(4, "little") + payload
    want = PLAN.format(config=blob.hex())
    if proc.returncode != 0 or proc.stdout != want:
        checks.fail("good: boot plan", f"status {proc.returncode}, got {proc.stdout!r} "
                                       f"{proc.stderr!r}, want {want!r}")
    else:
        checks.ok("good: boot plan")
    proc = specgen(root, "list-apps", "--system", "systems/s.toml")
    if proc.stdout.split() != ["srv", "cli"]:
        checks.fail("good: list-apps", f"got {proc.stdout!r}")
    else:
        checks.ok("good: list-apps")
    # Generating twice leaves the files untouched (make must not rebuild for nothing).
    gen = root / "gen"
    specgen(root, "gen", "--out", str(gen))
    stamp = {p: p.stat().st_mtime_ns for p in gen.rglob("*") if p.is_file()}
    specgen(root, "gen", "--out", str(gen))
    again = {p: p.stat().st_mtime_ns for p in gen.rglob("*") if p.is_file()}
    if not stamp or stamp != again:
        checks.fail("good: gen is idempotent", f"{len(stamp)} files, changed on a second run")
    else:
        checks.ok("good: gen is idempotent")


def run_c_tests(checks):
    """Generates the kitchen app/protocol and runs the C round-trip test under ASan+UBSan."""
    gen = OUT / "gen"
    proc = subprocess.run([sys.executable, str(SPECGEN), "--apps", str(HERE / "apps"),
                           "--protocols", f"{ROOT / 'protocols'} {HERE / 'protocols'}", "gen",
                           "--out", str(gen)], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        checks.fail("c: generate", proc.stderr.strip())
        return
    plan = subprocess.run([sys.executable, str(SPECGEN), "--apps", str(HERE / "apps"),
                           "--protocols", f"{ROOT / 'protocols'} {HERE / 'protocols'}", "plan",
                           "--system", str(HERE / "kitchen_system.toml")], cwd=ROOT,
                          capture_output=True, text=True)
    config = [ln.split()[2] for ln in plan.stdout.splitlines() if ln.startswith("config k ")]
    if plan.returncode != 0 or len(config) != 1:
        checks.fail("c: kitchen plan", plan.stderr.strip() or plan.stdout)
        return
    # The generated C builds for every target, warning-free, with the struct layouts
    # specgen computed (its _Static_asserts).
    sources = [gen / "apps/kitchen/startup.c"] + sorted((gen / "protocols").glob("*.c"))
    for target in ("riscv64-unknown-elf", "aarch64-unknown-elf", "x86_64-unknown-elf"):
        errors = ""
        for src in sources:
            proc = subprocess.run(["clang", f"--target={target}", "-std=gnu11", "-Wall",
                                   "-Wextra", "-Werror", "-Wno-unused-parameter",
                                   "-ffreestanding", "-nostdlibinc", "-fsyntax-only", f"-I{ROOT}",
                                   f"-I{ROOT / 'lib/c/include'}",
                                   f"-I{ROOT / 'lib/stellina/include'}", f"-I{gen}", str(src)],
                                  capture_output=True, text=True)
            errors += proc.stderr
        if errors:
            checks.fail(f"c: compiles for {target}", errors.strip()[-2000:])
        else:
            checks.ok(f"c: compiles for {target} ({len(sources)} files)")
    exe = OUT / "roundtrip"
    cc = ["clang", "-std=gnu11", "-g", "-O1", "-Wall", "-Wextra", "-Werror",
          "-Wno-unused-parameter", "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
          f"-I{ROOT}", f"-I{ROOT / 'lib/stellina/include'}", f"-I{gen}", "-o", str(exe),
          str(HERE / "roundtrip.c"), str(HERE / "host_stubs.c")]
    proc = subprocess.run(cc, capture_output=True, text=True)
    if proc.returncode != 0:
        checks.fail("c: build roundtrip.c", proc.stderr.strip()[-2000:])
        return
    proc = subprocess.run([str(exe), config[0]], capture_output=True, text=True)
    sys.stdout.write("".join(f"{ln}\n" for ln in proc.stdout.splitlines()
                             if ln.startswith(("PASS ", "FAIL "))))
    checks.passed += proc.stdout.count("\nPASS ") + proc.stdout.startswith("PASS ")
    checks.failed += proc.stdout.count("\nFAIL ") + proc.stdout.startswith("FAIL ")
    if proc.returncode != 0:
        checks.fail("c: roundtrip exit status", f"{proc.returncode}: {proc.stderr.strip()[-2000:]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", help="ignored: the generator runs on the host")
    ap.parse_args()
    checks = runner.Checks()
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="specgen-", dir=OUT))
    try:
        run_malformed(checks, tmp)
        run_good(checks, tmp)
        run_c_tests(checks)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return checks.finish()


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
