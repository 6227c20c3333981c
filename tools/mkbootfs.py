#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Builds the boot filesystem: the system spec's boot plan plus the ELF of every app it uses.
"""Usage: mkbootfs.py --system systems/NAME.toml --apps-dir build/ARCH/apps -o bootfs.bin

The archive is a header (magic "SBFS", file count), one 64-byte entry per
file (name[56], offset, size) and the files' bytes, 16-byte aligned; see
kernel/core/bootfs.h. The plan format is described in kernel/core/init.c.
"""
import argparse
import os
import struct
import sys
import tomllib

MAGIC = 0x53464253
NAME_MAX = 56
START_NAME_MAX = 24  # abi/startinfo.h: env names, "<device>.mmio" included
MODES = ("in-kernel", "user")
RESTARTS = ("always", "on-failure", "never")


class SpecError(Exception):
    pass


def device_lines(where, name, inst):
    """Boot plan `device` lines for an instance's `device.<env-key> = {...}` table.

    Each entry `device.nic = { compatible = "virtio,mmio", virtio_device_id = 1 }`
    gives the instance env handles "nic.mmio" and "nic.irq" (see
    kernel/core/init.c). virtio_device_id 0 (the default) matches any device."""
    lines = []
    devices = inst.get("device", {})
    if not isinstance(devices, dict):
        raise SpecError(f"{where}: device: must be a table of devices")
    for key, dev in devices.items():
        w = f"{where}: device.{key}"
        if not isinstance(dev, dict):
            raise SpecError(f"{w}: must be a table {{ compatible = ..., virtio_device_id = ... }}")
        if not key.replace("_", "").isalnum() or len(key) > START_NAME_MAX - 6:
            raise SpecError(f"{w}: the name must be alphanumeric and at most {START_NAME_MAX - 6} characters")
        compatible = dev.get("compatible")
        if not isinstance(compatible, str) or not compatible or " " in compatible or len(compatible) > 23:
            raise SpecError(f"{w}.compatible: missing, or not a word of at most 23 characters")
        vid = dev.get("virtio_device_id", 0)
        if not isinstance(vid, int) or isinstance(vid, bool) or not 0 <= vid < 2**32:
            raise SpecError(f"{w}.virtio_device_id: must be an integer >= 0")
        unknown = set(dev) - {"compatible", "virtio_device_id"}
        if unknown:
            raise SpecError(f"{w}: unknown key {sorted(unknown)[0]}")
        lines.append(f"device {name} {key} {compatible} {vid}")
    return lines


def build_plan(path, apps_dir):
    try:
        with open(path, "rb") as f:
            spec = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise SpecError(f"{path}: {e}")
    instances = spec.get("instance")
    if not isinstance(instances, list) or not instances:
        raise SpecError(f"{path}: instance: at least one [[instance]] is required")
    lines, envs, names, apps = [], [], set(), []
    for i, inst in enumerate(instances):
        where = f"{path}: instance[{i}]"
        app = inst.get("app")
        if not isinstance(app, str) or not app:
            raise SpecError(f"{where}: app: missing")
        name = inst.get("name", app)
        if name in names:
            raise SpecError(f"{where}: name: duplicate instance name '{name}'")
        names.add(name)
        mode = inst.get("mode", "in-kernel")
        if mode not in MODES:
            raise SpecError(f"{where}: mode: '{mode}' is not one of {', '.join(MODES)}")
        restart = inst.get("restart", "never")
        if restart not in RESTARTS:
            raise SpecError(f"{where}: restart: '{restart}' is not one of {', '.join(RESTARTS)}")
        elf = os.path.join(apps_dir, f"{app}.elf")
        if not os.path.exists(elf):
            raise SpecError(f"{where}: app: no app named '{app}' (no apps/{app}/app.toml)")
        if app not in apps:
            apps.append(app)
        flags = [int(bool(inst.get("shutdown_on_exit", False))), int(bool(inst.get("console", False)))]
        lines.append(f"instance {name} {app} {mode} {restart} {flags[0]} {flags[1]}")
        lines += device_lines(where, name, inst)
        for env_name, target in inst.get("env", {}).items():
            envs.append((where, name, env_name, target))
    for where, name, env_name, target in envs:
        if target not in names:
            raise SpecError(f"{where}: env.{env_name}: no instance named '{target}'")
        lines.append(f"env {name} {env_name} {target}")
    return "\n".join(lines) + "\n", apps


def pack(files):
    header_size = 8 + 64 * len(files)
    offset = (header_size + 15) & ~15
    entries, blobs = [], []
    for name, data in files:
        if len(name.encode()) >= NAME_MAX:
            raise SpecError(f"bootfs: file name too long: {name}")
        entries.append(struct.pack("<56sII", name.encode(), offset, len(data)))
        padded = data + b"\0" * ((-len(data)) % 16)
        blobs.append(padded)
        offset += len(padded)
    out = struct.pack("<II", MAGIC, len(files)) + b"".join(entries)
    out += b"\0" * ((-len(out)) % 16)
    return out + b"".join(blobs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--system", required=True)
    ap.add_argument("--apps-dir")
    ap.add_argument("-o", "--output")
    ap.add_argument("--list-apps", action="store_true", help="print the apps the system uses")
    args = ap.parse_args()
    if args.list_apps:
        try:
            with open(args.system, "rb") as f:
                spec = tomllib.load(f)
            print(" ".join(sorted({i.get("app", "") for i in spec.get("instance", [])})))
        except (OSError, tomllib.TOMLDecodeError, AttributeError):
            pass  # the real build reports the error with its location
        return 0
    try:
        plan, apps = build_plan(args.system, args.apps_dir)
        files = [("plan", plan.encode())]
        for app in apps:
            with open(os.path.join(args.apps_dir, f"{app}.elf"), "rb") as f:
                files.append((f"apps/{app}.elf", f.read()))
        data = pack(files)
    except SpecError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    with open(args.output, "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
