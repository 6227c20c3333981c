# SPDX-License-Identifier: MIT
# specgen's command line: check specs, generate C into build/.../gen, write the boot plan and the bootfs.
"""Usage: python3 tools/specgen [--apps PATH] [--protocols PATH] COMMAND ...

  check [--system FILE]...             check every app and protocol (and the systems given)
  gen --out DIR                        write the C of every app and protocol into DIR
  list-apps --system FILE              print the apps a system boots (nothing if it is broken:
                                       the bootfs step reports why)
  plan --system FILE                   print the system's boot plan
  bootfs --system FILE --elf-dir DIR -o OUT   pack the plan and the apps' ELFs

PATH is a list of folders separated by spaces or colons (default: apps, protocols).
A broken spec prints "error: path: key: what is wrong" and exits with status 1.
See docs/specs.md.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gen_app import gen_env_header, gen_startup  # noqa: E402
from gen_protocol import WIRE_H, gen_header, gen_source  # noqa: E402
from specs import SpecError, load_tree, split_path  # noqa: E402
from system import boot_plan, load_system, pack_bootfs  # noqa: E402


def write_if_changed(path, text):
    """Keeps the file's timestamp when nothing changed, so make rebuilds only what must."""
    data = text.encode()
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return
    except OSError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def generate(apps, protocols, out):
    write_if_changed(os.path.join(out, "protocols", "wire.h"), WIRE_H)
    for p in protocols.values():
        write_if_changed(os.path.join(out, "protocols", f"{p.name}.h"), gen_header(p))
        write_if_changed(os.path.join(out, "protocols", f"{p.name}.c"), gen_source(p))
    for a in apps.values():
        write_if_changed(os.path.join(out, "apps", a.name, "env.h"), gen_env_header(a))
        write_if_changed(os.path.join(out, "apps", a.name, "startup.c"), gen_startup(a))


def main(argv=None):
    ap = argparse.ArgumentParser(prog="specgen", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--apps", default="apps", help="folders holding app folders")
    ap.add_argument("--protocols", default="protocols", help="folders holding protocol specs")
    ap.add_argument("command", choices=["check", "gen", "list-apps", "plan", "bootfs"])
    ap.add_argument("--system", action="append", default=[])
    ap.add_argument("--out", help="gen: output folder")
    ap.add_argument("--elf-dir", help="bootfs: folder of the built <app>.elf files")
    ap.add_argument("-o", "--output", help="bootfs: the archive to write")
    args = ap.parse_args(argv)
    try:
        apps, protocols = load_tree(split_path(args.apps), split_path(args.protocols))
        systems = [load_system(s, apps) for s in args.system]
        if args.command == "list-apps":
            print(" ".join(a for s in systems for a in s.apps()))
        elif args.command == "plan":
            for s in systems:
                sys.stdout.write(boot_plan(s))
        elif args.command == "gen":
            if not args.out:
                ap.error("gen needs --out")
            generate(apps, protocols, args.out)
        elif args.command == "bootfs":
            if len(systems) != 1 or not args.elf_dir or not args.output:
                ap.error("bootfs needs one --system, --elf-dir and -o")
            s = systems[0]
            files = [("plan", boot_plan(s).encode())]
            for name in s.apps():
                with open(os.path.join(args.elf_dir, f"{name}.elf"), "rb") as f:
                    files.append((f"apps/{name}.elf", f.read()))
            data = pack_bootfs(files)
            os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
            with open(args.output, "wb") as f:
                f.write(data)
    except SpecError as e:
        if args.command == "list-apps":
            return 0  # the bootfs step reports it, with its location
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0
