# SPDX-License-Identifier: MIT
# Checks a system spec against its apps, writes init's boot plan (with config blobs) and packs the bootfs.
import struct

from specs import (INT_TYPES, MODES, RESTARTS, START_CONFIG_MAX, START_NAME_MAX, BOOTFS_NAME_MAX,
                   INSTANCES_MAX, WIRES_MAX,
                   CONFIG_HEADER_SIZE, SpecError, check_config_value, check_ident, check_keys,
                   fail, load_toml)

CONFIG_MAGIC = 0x47464353  # "SCFG"
BOOTFS_MAGIC = 0x53464253  # "SBFS"


def fnv1a32(data):
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def config_schema_hash(app):
    """Identifies the layout of an app's config blob: any change of a key, type or max_len changes it."""
    text = app.name + "\n" + "".join(f"{e.key}:{e.type}:{e.max_len or 0}\n" for e in app.config())
    return fnv1a32(text.encode())


def encode_config(app, values):
    """The config blob: magic, schema hash, payload length (u32 LE each), then the values in
    declaration order: integers little-endian at their width, bool one byte, string u16 length
    plus bytes (no NUL)."""
    payload = b""
    for e in app.config():
        v = values[e.key]
        if e.type in INT_TYPES:
            size, signed = INT_TYPES[e.type]
            payload += v.to_bytes(size, "little", signed=signed)
        elif e.type == "bool":
            payload += bytes([1 if v else 0])
        else:
            data = v.encode()
            payload += struct.pack("<H", len(data)) + data
    blob = struct.pack("<III", CONFIG_MAGIC, config_schema_hash(app), len(payload)) + payload
    assert len(blob) <= START_CONFIG_MAX and len(blob) >= CONFIG_HEADER_SIZE
    return blob


class Instance:
    def __init__(self, name, app, mode, restart, shutdown_on_exit):
        self.name, self.app, self.mode, self.restart = name, app, mode, restart
        self.shutdown_on_exit = shutdown_on_exit
        self.env = {}      # service key -> server instance name
        self.config = {}   # config key -> value (defaults filled in)


class System:
    def __init__(self, path, description, instances):
        self.path, self.description, self.instances = path, description, instances

    def apps(self):
        """The apps the system boots, in the order of their first instance."""
        seen = []
        for i in self.instances:
            if i.app.name not in seen:
                seen.append(i.app.name)
        return seen


INSTANCE_KEYS = {"name", "app", "mode", "restart", "shutdown_on_exit", "env", "config",
                 "description"}


def load_system(path, apps):
    spec = load_toml(path)
    check_keys(path, "", spec, {"system", "instance"}, ["system"])
    check_keys(path, "system", spec["system"], {"description", "arches"}, ["description"])
    arches = spec["system"].get("arches", [])
    if not isinstance(arches, list) or not all(isinstance(x, str) for x in arches):
        fail(path, "system.arches", "must be an array of arch names")
    raw = spec.get("instance")
    if not isinstance(raw, list) or not raw:
        fail(path, "instance", "at least one [[instance]] is required")
    instances = []
    for i, inst in enumerate(raw):
        key = f"instance[{i}]"
        if isinstance(inst, dict) and "console" in inst:
            fail(path, f"{key}.console", "not a system setting any more: the app declares "
                                         "[env.<key>] type = \"console\" in its app.toml")
        check_keys(path, key, inst, INSTANCE_KEYS, ["app"])
        app_name = inst["app"]
        if not isinstance(app_name, str) or app_name not in apps:
            fail(path, f"{key}.app", f"no app named '{app_name}' (no apps/{app_name}/app.toml)")
        app = apps[app_name]
        name = check_ident(path, f"{key}.name", inst.get("name", app_name), "instance name",
                           START_NAME_MAX - 1)
        if any(x.name == name for x in instances):
            fail(path, f"{key}.name", f"duplicate instance name '{name}'")
        mode = inst.get("mode", "in-kernel")
        if mode not in MODES:
            fail(path, f"{key}.mode", f"'{mode}' is not one of {', '.join(MODES)}")
        restart = inst.get("restart", "never")
        if restart not in RESTARTS:
            fail(path, f"{key}.restart", f"'{restart}' is not one of {', '.join(RESTARTS)}")
        soe = inst.get("shutdown_on_exit", False)
        if type(soe) is not bool:
            fail(path, f"{key}.shutdown_on_exit", "must be true or false")
        obj = Instance(name, app, mode, restart, soe)
        env = inst.get("env", {})
        if not isinstance(env, dict):
            fail(path, f"{key}.env", "must be a table of <service key> = \"<instance>\"")
        services = {e.key for e in app.env if e.type == "service"}
        for k, target in env.items():
            if k not in services:
                fail(path, f"{key}.env.{k}", f"app '{app.name}' has no service need '{k}' "
                                             f"(it has: {', '.join(sorted(services)) or 'none'})")
            if not isinstance(target, str):
                fail(path, f"{key}.env.{k}", "must be the name of an instance")
            obj.env[k] = target
        config = inst.get("config", {})
        entries = {e.key: e for e in app.config()}
        if not isinstance(config, dict):
            fail(path, f"{key}.config", "must be a table of <key> = <value>")
        for k in config:
            if k not in entries:
                fail(path, f"{key}.config.{k}", f"app '{app.name}' has no config value '{k}' "
                                                f"(it has: {', '.join(sorted(entries)) or 'none'})")
        for e in app.config():
            if e.key in config:
                obj.config[e.key] = check_config_value(path, f"{key}.config.{e.key}", e,
                                                       config[e.key])
            elif e.default is not None:
                obj.config[e.key] = e.default
            else:
                fail(path, f"{key}.config.{e.key}", f"missing (app '{app.name}' has no default "
                                                    "for it)")
        instances.append(obj)
    # Wiring, once every instance is known (a client may come before its server).
    by_name = {x.name: x for x in instances}
    consoles = []
    for i, obj in enumerate(instances):
        key = f"instance[{i}]"
        for e in obj.app.env:
            if e.type == "console":
                consoles.append(obj.name)
            if e.type != "service":
                continue
            target = obj.env.get(e.key)
            if target is None:
                if not e.optional:
                    fail(path, f"{key}.env.{e.key}", f"missing: app '{obj.app.name}' needs a "
                                                     f"'{e.protocol}' service")
                continue
            server = by_name.get(target)
            if server is None:
                fail(path, f"{key}.env.{e.key}", f"no instance named '{target}'")
            if server is obj:
                fail(path, f"{key}.env.{e.key}", "an instance cannot be its own server")
            if e.protocol not in server.app.serves:
                fail(path, f"{key}.env.{e.key}", f"instance '{target}' (app "
                                                 f"'{server.app.name}') does not serve protocol "
                                                 f"'{e.protocol}'")
    if len(consoles) > 1:
        fail(path, "instance", f"two instances read the console ({consoles[0]} and {consoles[1]})")
    # The limits of init's tables (the kernel refuses a plan over them at boot).
    if len(instances) > INSTANCES_MAX:
        fail(path, "instance", f"{len(instances)} instances; init takes at most {INSTANCES_MAX}")
    wires = sum(1 for o in instances for e in o.app.env if e.type == "service" and e.key in o.env)
    devices = sum(1 for o in instances for e in o.app.env if e.type == "device")
    if max(wires, devices) > WIRES_MAX:
        fail(path, "instance", f"{wires} services wired and {devices} devices needed; init takes "
                               f"at most {WIRES_MAX} of each")
    return System(path, spec["system"]["description"], instances)


def boot_plan(system):
    """The text kernel/core/init.c reads (format in docs/specs.md)."""
    lines = []
    for i in system.instances:
        console = int(any(e.type == "console" for e in i.app.env))
        lines.append(f"instance {i.name} {i.app.name} {i.mode} {i.restart} "
                     f"{int(i.shutdown_on_exit)} {console}")
    for i in system.instances:
        for e in i.app.env:
            if e.type == "service" and e.key in i.env:
                lines.append(f"env {i.name} {e.key} {i.env[e.key]} {e.protocol}")
    for i in system.instances:
        if i.app.config():
            lines.append(f"config {i.name} {encode_config(i.app, i.config).hex()}")
    for i in system.instances:
        for e in i.app.env:
            if e.type == "device":
                lines.append(f"device {i.name} {e.key} {e.compatible} {e.virtio_device_id}")
    return "\n".join(lines) + "\n"


def pack_bootfs(files):
    """The archive of kernel/core/bootfs.h: header (magic, count), 64-byte entries
    (name[56], offset, size), then the files, each 16-byte aligned."""
    header_size = 8 + 64 * len(files)
    offset = (header_size + 15) & ~15
    entries, blobs = [], []
    for name, data in files:
        if len(name.encode()) >= BOOTFS_NAME_MAX:
            raise SpecError(f"bootfs: {name}: file name too long")
        entries.append(struct.pack("<56sII", name.encode(), offset, len(data)))
        padded = data + b"\0" * ((-len(data)) % 16)
        blobs.append(padded)
        offset += len(padded)
    out = struct.pack("<II", BOOTFS_MAGIC, len(files)) + b"".join(entries)
    out += b"\0" * ((-len(out)) % 16)
    return out + b"".join(blobs)
