# SPDX-License-Identifier: MIT
# Loads and checks app, protocol and system specs; every problem is a SpecError "path: key: what is wrong".
import os
import re
import tomllib

IDENT_RE = re.compile(r"^[a-z][a-z0-9_]*$")
COMPATIBLE_RE = re.compile(r"^[A-Za-z0-9,._-]+$")
SIZED_RE = re.compile(r"^(string|bytes)\((\d+)\)$")
INT_TYPES = {  # type -> (bytes, signed)
    "u8": (1, False), "u16": (2, False), "u32": (4, False), "u64": (8, False),
    "i32": (4, True), "i64": (8, True),
}
CONFIG_TYPES = tuple(INT_TYPES) + ("bool", "string")
FIELD_TYPES = tuple(INT_TYPES) + ("bool", "string", "bytes", "handle")
RESOURCE_TYPES = ("service", "console", "device")
MODES = ("in-kernel", "user")
RESTARTS = ("always", "on-failure", "never")
# Limits shared with the kernel (abi/message.h, abi/startinfo.h, kernel/core/bootfs.h).
MSG_MAX_DATA = 4096
MSG_MAX_HANDLES = 4
MSG_KIND_PROTOCOL_BASE = 0x100
MSG_KIND_MAX = 0x7FFFFFFF
START_NAME_MAX = 24   # with the NUL
START_ENV_MAX = 16
START_CONFIG_MAX = 1024
COMPATIBLE_MAX = 23    # kernel/core/plan.h, PLAN_COMPATIBLE_MAX
INSTANCES_MAX = 32     # kernel/core/plan.h, PLAN_MAX_INSTANCES
WIRES_MAX = 64         # kernel/core/plan.h, PLAN_MAX_WIRES: env lines, and device lines
BOOTFS_NAME_MAX = 56  # with the NUL
CONFIG_HEADER_SIZE = 12
# Names the generated C would clash with (C keywords and the generator's own names).
C_KEYWORDS = set("""auto break case char const continue default do double else enum extern float
for goto if inline int long register restrict return short signed sizeof static struct switch
typedef union unsigned void volatile while bool true false""".split())
RESERVED_MESSAGES = {"server", "handlers", "dispatch", "loop_fn", "error"}


class SpecError(Exception):
    """A broken spec: str() is "path: key: what is wrong"."""


def fail(path, key, what):
    raise SpecError(f"{path}: {key}: {what}")


def load_toml(path):
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise SpecError(f"{path}: (file): cannot read: {e.strerror}")
    except tomllib.TOMLDecodeError as e:
        raise SpecError(f"{path}: (toml): bad TOML: {e}")


def check_keys(path, key, table, allowed, required=()):
    """Rejects unknown keys (typos) and missing required ones in a table."""
    if not isinstance(table, dict):
        fail(path, key, "must be a table")
    prefix = f"{key}." if key else ""
    for k in table:
        if k not in allowed:
            fail(path, f"{prefix}{k}", f"unknown key (allowed: {', '.join(sorted(allowed))})")
    for k in required:
        if k not in table:
            fail(path, f"{prefix}{k}", "missing")


def check_ident(path, key, value, what="name", max_len=None):
    if not isinstance(value, str):
        fail(path, key, f"{what} must be a string")
    if not IDENT_RE.match(value):
        fail(path, key, f"'{value}' is not a valid {what} (lower case letters, digits, _; "
                        "starting with a letter)")
    if value in C_KEYWORDS:
        fail(path, key, f"'{value}' is a C keyword")
    if max_len is not None and len(value) > max_len:
        fail(path, key, f"'{value}' is longer than {max_len} characters")
    return value


def check_str(path, key, value):
    if not isinstance(value, str):
        fail(path, key, "must be a string")
    return value


def check_max_len(path, key, value, limit):
    if type(value) is not int or value < 1 or value > limit:
        fail(path, key, f"must be an integer from 1 to {limit}")
    return value


def int_range(type_):
    size, signed = INT_TYPES[type_]
    if signed:
        return -(1 << (8 * size - 1)), (1 << (8 * size - 1)) - 1
    return 0, (1 << (8 * size)) - 1


# ---- protocols ------------------------------------------------------------------

class Field:
    def __init__(self, name, type_, max_len=None):
        self.name, self.type, self.max_len = name, type_, max_len

    def wire_max(self):
        if self.type in INT_TYPES:
            return INT_TYPES[self.type][0]
        if self.type == "bool":
            return 1
        if self.type in ("string", "bytes"):
            return 2 + self.max_len
        return 0  # handles travel beside the data

    def wire_min(self):
        return 2 if self.type in ("string", "bytes") else self.wire_max()


class Message:
    def __init__(self, name, kind, description, fields, reply):
        self.name, self.kind, self.description = name, kind, description
        self.fields, self.reply = fields, reply

    def max_len(self):
        return sum(f.wire_max() for f in self.fields)

    def min_len(self):
        return sum(f.wire_min() for f in self.fields)

    def handles(self):
        return [f for f in self.fields if f.type == "handle"]


class Protocol:
    def __init__(self, path, name, description, messages):
        self.path, self.name, self.description, self.messages = path, name, description, messages

    def message(self, name):
        return next((m for m in self.messages if m.name == name), None)


def load_protocol(path):
    spec = load_toml(path)
    check_keys(path, "", spec, {"protocol", "message"}, ["protocol"])
    proto = spec["protocol"]
    check_keys(path, "protocol", proto, {"name", "description"}, ["name", "description"])
    name = check_ident(path, "protocol.name", proto["name"], "protocol name", START_NAME_MAX - 1)
    stem = os.path.splitext(os.path.basename(path))[0]
    if name != stem:
        fail(path, "protocol.name", f"'{name}' must match the file name '{stem}.toml'")
    description = check_str(path, "protocol.description", proto["description"])
    # A protocol without messages speaks only the built-in kinds (MSG_DATA, ...).
    raw = spec.get("message", [])
    if not isinstance(raw, list):
        fail(path, "message", "must be an array of [[message]] tables")
    messages, kinds = [], {}
    for i, m in enumerate(raw):
        key = f"message[{i}]"
        check_keys(path, key, m, {"name", "kind", "description", "fields", "reply"},
                   ["name", "kind"])
        mname = check_ident(path, f"{key}.name", m["name"], "message name")
        if mname in RESERVED_MESSAGES:
            fail(path, f"{key}.name", f"'{mname}' is reserved by the generated code")
        if any(x.name == mname for x in messages):
            fail(path, f"{key}.name", f"duplicate message name '{mname}'")
        kind = m["kind"]
        if type(kind) is not int or kind < MSG_KIND_PROTOCOL_BASE or kind > MSG_KIND_MAX:
            fail(path, f"{key}.kind", f"must be an integer from {MSG_KIND_PROTOCOL_BASE:#x} "
                                      f"to {MSG_KIND_MAX:#x}")
        if kind in kinds:
            fail(path, f"{key}.kind", f"{kind:#x} is already the kind of message '{kinds[kind]}'")
        kinds[kind] = mname
        desc = check_str(path, f"{key}.description", m.get("description", ""))
        fields = load_fields(path, key, m.get("fields", []))
        reply = m.get("reply")
        if reply is not None:
            check_str(path, f"{key}.reply", reply)
        msg = Message(mname, kind, desc, fields, reply)
        if msg.max_len() > MSG_MAX_DATA:
            fail(path, f"{key}.fields", f"up to {msg.max_len()} bytes on the wire, more than "
                                        f"a message holds ({MSG_MAX_DATA})")
        if len(msg.handles()) > MSG_MAX_HANDLES:
            fail(path, f"{key}.fields", f"{len(msg.handles())} handles, more than a message "
                                        f"carries ({MSG_MAX_HANDLES})")
        messages.append(msg)
    for i, m in enumerate(messages):
        if m.reply is not None and not any(x.name == m.reply for x in messages):
            fail(path, f"message[{i}].reply", f"no message named '{m.reply}' in this protocol")
    return Protocol(path, name, description, messages)


def load_fields(path, key, raw):
    if not isinstance(raw, list):
        fail(path, f"{key}.fields", "must be an array of {name, type} tables")
    fields = []
    for j, f in enumerate(raw):
        fkey = f"{key}.fields[{j}]"
        check_keys(path, fkey, f, {"name", "type", "max_len", "description"}, ["name", "type"])
        fname = check_ident(path, f"{fkey}.name", f["name"], "field name")
        if any(x.name == fname or f"{x.name}_len" == fname or x.name == f"{fname}_len"
               for x in fields):
            fail(path, f"{fkey}.name", f"duplicate field name '{fname}' (or clash with a "
                                       "bytes field's _len)")
        ftype = f["type"]
        max_len = None
        # Shorthand: "string(32)" is type "string" with max_len 32.
        short = SIZED_RE.match(ftype) if isinstance(ftype, str) else None
        if short:
            if "max_len" in f:
                fail(path, f"{fkey}.max_len", f"given twice (also in type '{ftype}')")
            ftype = short.group(1)
            max_len = check_max_len(path, f"{fkey}.type", int(short.group(2)), MSG_MAX_DATA - 2)
        if ftype not in FIELD_TYPES:
            fail(path, f"{fkey}.type", f"unknown type '{ftype}' (one of {', '.join(FIELD_TYPES)})")
        if max_len is not None:
            pass
        elif ftype in ("string", "bytes"):
            if "max_len" not in f:
                fail(path, f"{fkey}.max_len", f"missing (a {ftype} needs a maximum length)")
            max_len = check_max_len(path, f"{fkey}.max_len", f["max_len"], MSG_MAX_DATA - 2)
        elif "max_len" in f:
            fail(path, f"{fkey}.max_len", f"only strings and bytes have a max_len")
        fields.append(Field(fname, ftype, max_len))
    return fields


# ---- apps -----------------------------------------------------------------------

class EnvEntry:
    def __init__(self, key, type_, description, protocol=None, compatible=None,
                 virtio_device_id=0, default=None, max_len=None, min_=None, max_=None,
                 optional=False):
        self.key, self.type, self.description = key, type_, description
        self.protocol, self.compatible, self.virtio_device_id = protocol, compatible, virtio_device_id
        self.default, self.max_len, self.min, self.max = default, max_len, min_, max_
        self.optional = optional

    def is_config(self):
        return self.type in CONFIG_TYPES


class App:
    def __init__(self, path, dir_, name, description, serves, uses, env):
        self.path, self.dir, self.name, self.description = path, dir_, name, description
        self.serves, self.uses, self.env = serves, uses, env

    def config(self):
        return [e for e in self.env if e.is_config()]

    def protocols(self):
        """Every protocol the app speaks: served, used by a service need, or listed in uses."""
        names = list(self.serves) + [e.protocol for e in self.env if e.type == "service"]
        names += list(self.uses)
        return sorted(set(names))


def check_config_value(path, key, entry, value):
    """Type-checks one config value against its env entry; returns it."""
    t = entry.type
    if t == "bool":
        if type(value) is not bool:
            fail(path, key, f"must be true or false ({entry.key} is a bool)")
    elif t == "string":
        if not isinstance(value, str):
            fail(path, key, f"must be a string ({entry.key} is a string)")
        data = value.encode()
        if len(data) > entry.max_len:
            fail(path, key, f"{len(data)} bytes, longer than max_len {entry.max_len}")
        if b"\0" in data:
            fail(path, key, "must not contain NUL characters")
    else:
        if type(value) is not int:
            fail(path, key, f"must be an integer ({entry.key} is a {t})")
        lo, hi = int_range(t)
        if entry.min is not None:
            lo = max(lo, entry.min)
        if entry.max is not None:
            hi = min(hi, entry.max)
        if value < lo or value > hi:
            fail(path, key, f"{value} is out of range ({lo} to {hi})")
    return value


def load_env_entry(path, key, name, e, protocols):
    check_ident(path, key, name, "env key", START_NAME_MAX - 1)
    if name in ("init",):
        fail(path, key, "'init' is reserved (every app gets its init channel)")
    if not isinstance(e, dict):
        fail(path, key, "must be a table with a type")
    if "type" not in e:
        fail(path, f"{key}.type", "missing")
    t = e["type"]
    if t not in RESOURCE_TYPES + CONFIG_TYPES:
        fail(path, f"{key}.type", f"unknown type '{t}' (one of "
                                  f"{', '.join(RESOURCE_TYPES + CONFIG_TYPES)})")
    common = {"type", "description"}
    desc = e.get("description", "")
    check_str(path, f"{key}.description", desc)
    if t == "service":
        check_keys(path, key, e, common | {"protocol", "optional"}, ["protocol"])
        proto = check_str(path, f"{key}.protocol", e["protocol"])
        if proto not in protocols:
            fail(path, f"{key}.protocol", f"unknown protocol '{proto}' (no protocols/{proto}.toml)")
        optional = e.get("optional", False)
        if type(optional) is not bool:
            fail(path, f"{key}.optional", "must be true or false")
        return EnvEntry(name, t, desc, protocol=proto, optional=optional)
    if t == "console":
        check_keys(path, key, e, common)
        return EnvEntry(name, t, desc)
    if t == "device":
        check_keys(path, key, e, common | {"compatible", "virtio_device_id", "optional"},
                   ["compatible"])
        compat = check_str(path, f"{key}.compatible", e["compatible"])
        if not COMPATIBLE_RE.match(compat):
            fail(path, f"{key}.compatible", f"'{compat}' is not a compatible string")
        if len(compat) > COMPATIBLE_MAX:
            fail(path, f"{key}.compatible", f"may have at most {COMPATIBLE_MAX} characters")
        dev_id = e.get("virtio_device_id", 0)
        if type(dev_id) is not int or dev_id < 0 or dev_id > 0xFFFF:
            fail(path, f"{key}.virtio_device_id", "must be an integer from 0 to 65535")
        if len(name) + len(".mmio") > START_NAME_MAX - 1:
            fail(path, key, f"a device key may have at most {START_NAME_MAX - 1 - 5} characters "
                            "(its handles are named <key>.mmio and <key>.irq)")
        optional = e.get("optional", False)
        if type(optional) is not bool:
            fail(path, f"{key}.optional", "must be true or false")
        return EnvEntry(name, t, desc, compatible=compat, virtio_device_id=dev_id,
                        optional=optional)
    # A config value.
    allowed = common | {"default"}
    if t == "string":
        allowed |= {"max_len"}
    elif t in INT_TYPES:
        allowed |= {"min", "max"}
    check_keys(path, key, e, allowed, ["max_len"] if t == "string" else [])
    entry = EnvEntry(name, t, desc)
    if t == "string":
        entry.max_len = check_max_len(path, f"{key}.max_len", e["max_len"], 255)
    if t in INT_TYPES:
        lo, hi = int_range(t)
        for bound in ("min", "max"):
            if bound in e:
                v = e[bound]
                if type(v) is not int or v < lo or v > hi:
                    fail(path, f"{key}.{bound}", f"must be an integer from {lo} to {hi} "
                                                 f"(the range of {t})")
                setattr(entry, bound, v)
        if entry.min is not None and entry.max is not None and entry.min > entry.max:
            fail(path, f"{key}.min", f"min {entry.min} is greater than max {entry.max}")
    if "default" in e:
        entry.default = check_config_value(path, f"{key}.default", entry, e["default"])
    return entry


def load_app(app_dir, protocols):
    path = os.path.join(app_dir, "app.toml")
    spec = load_toml(path)
    check_keys(path, "", spec, {"app", "env", "build"}, ["app"])
    # [build] libs = [...] is read by tools/applibs.py (extra libraries to link).
    build = spec.get("build", {})
    check_keys(path, "build", build, {"libs"})
    libs = build.get("libs", [])
    if not isinstance(libs, list) or not all(isinstance(x, str) for x in libs):
        fail(path, "build.libs", "must be an array of library names")
    app = spec["app"]
    check_keys(path, "app", app, {"name", "description", "serves", "uses"},
               ["name", "description"])
    name = check_ident(path, "app.name", app["name"], "app name", START_NAME_MAX - 1)
    folder = os.path.basename(os.path.normpath(app_dir))
    if name != folder:
        fail(path, "app.name", f"'{name}' must match the app's folder name '{folder}'")
    description = check_str(path, "app.description", app["description"])
    lists = {}
    for k in ("serves", "uses"):
        v = app.get(k, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            fail(path, f"app.{k}", "must be an array of protocol names")
        for x in v:
            if x not in protocols:
                fail(path, f"app.{k}", f"unknown protocol '{x}' (no protocols/{x}.toml)")
        lists[k] = v
    env_raw = spec.get("env", {})
    if not isinstance(env_raw, dict):
        fail(path, "env", "must be a table of [env.<key>] tables")
    env, cnames = [], {"init"}
    for k, e in env_raw.items():
        entry = load_env_entry(path, f"env.{k}", k, e, protocols)
        names = [f"{k}_mmio", f"{k}_irq"] if entry.type == "device" else [k]
        for n in names:
            if n in cnames:
                fail(path, f"env.{k}", f"the struct field '{n}' would be defined twice")
            cnames.add(n)
        env.append(entry)
    consoles = [e.key for e in env if e.type == "console"]
    if len(consoles) > 1:
        fail(path, f"env.{consoles[1]}", "an app has at most one console")
    cfg = [e for e in env if e.is_config()]
    if CONFIG_HEADER_SIZE + sum(config_wire_size(e) for e in cfg) > START_CONFIG_MAX:
        fail(path, "env", f"the config values need more than {START_CONFIG_MAX} bytes")
    handles = sum(2 if e.type == "device" else 1 for e in env if e.type in ("service", "device"))
    if handles + 1 > START_ENV_MAX:
        fail(path, "env", f"more than {START_ENV_MAX} environment handles (init included)")
    return App(path, app_dir, name, description, lists["serves"], lists["uses"], env)


def config_wire_size(entry):
    if entry.type in INT_TYPES:
        return INT_TYPES[entry.type][0]
    if entry.type == "bool":
        return 1
    return 2 + entry.max_len


# ---- the whole tree ---------------------------------------------------------------

def split_path(value):
    """A search path given as words separated by spaces or colons."""
    return [p for p in re.split(r"[\s:]+", value or "") if p]


def load_protocols(protocol_dirs):
    protocols = {}
    for d in protocol_dirs:
        if not os.path.isdir(d):
            continue
        for fname in sorted(os.listdir(d)):
            if not fname.endswith(".toml"):
                continue
            p = load_protocol(os.path.join(d, fname))
            if p.name in protocols:
                fail(p.path, "protocol.name", f"duplicate protocol '{p.name}' (also in "
                                              f"{protocols[p.name].path})")
            protocols[p.name] = p
    return protocols


def load_apps(app_dirs, protocols):
    apps = {}
    for d in app_dirs:
        if not os.path.isdir(d):
            continue
        for sub in sorted(os.listdir(d)):
            if not os.path.exists(os.path.join(d, sub, "app.toml")):
                continue
            a = load_app(os.path.join(d, sub), protocols)
            if a.name in apps:
                fail(a.path, "app.name", f"duplicate app '{a.name}' (also in {apps[a.name].path})")
            apps[a.name] = a
    return apps


def load_tree(app_dirs, protocol_dirs):
    protocols = load_protocols(protocol_dirs)
    return load_apps(app_dirs, protocols), protocols
