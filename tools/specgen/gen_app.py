# SPDX-License-Identifier: MIT
# Writes an app's typed environment (env.h) and its startup code (startup.c) from its app.toml.
from gen_protocol import C_INT, banner, c_sizeof
from specs import INT_TYPES, int_range
from system import CONFIG_MAGIC, config_schema_hash


def env_members(app):
    """(C declaration, size, align) of each member of struct <app>_env, in order."""
    out = [("handle_t init; // the channel from init (servers get their clients on it)", 4, 4)]
    for e in app.env:
        note = f" // {e.description}" if e.description else ""
        if e.type == "service":
            opt = " (0 if not wired)" if e.optional else ""
            out.append((f"handle_t {e.key}; // channel to a '{e.protocol}' server{opt}.{note}",
                        4, 4))
        elif e.type == "console":
            out.append((f"handle_t {e.key}; // console input (sys_console_read){note}", 4, 4))
        elif e.type == "device":
            opt = " (0 if the machine has none)" if e.optional else ""
            out.append((f"handle_t {e.key}_mmio; // folio of the device's registers "
                        f"({e.compatible}){opt}{note}", 4, 4))
            out.append((f"handle_t {e.key}_irq; // the device's interrupt", 4, 4))
        elif e.type in C_INT:
            n = INT_TYPES[e.type][0]
            out.append((f"{C_INT[e.type]} {e.key};{note}", n, n))
        elif e.type == "bool":
            out.append((f"bool {e.key};{note}", 1, 1))
        else:
            out.append((f"char {e.key}[{e.max_len + 1}]; // NUL-terminated{note}",
                        e.max_len + 1, 1))
    return out


def gen_env_header(app):
    members = env_members(app)
    o = [banner(app.path), f"// The environment of app '{app.name}': {app.description}",
         "#pragma once", "#include <stdbool.h>", "#include <stdint.h>",
         "#include <stellina/stellina.h>", ""]
    if app.protocols():
        # Not included here, so that an app may still hand-marshal a protocol in some files.
        o.append("// The app's protocols (include the ones a file uses): " +
                 ", ".join(f"<protocols/{p}.h>" for p in app.protocols()))
    o += [f"struct {app.name}_env {{"]
    o += [f"    {d}" for d, _, _ in members]
    o += ["};",
          f"_Static_assert(sizeof(struct {app.name}_env) == {c_sizeof(members)}, "
          f"\"struct {app.name}_env has the layout specgen computed\");",
          "",
          "// The app's entry point, called by the generated startup code once the environment "
          "was",
          "// received and checked. Its return value is the process's exit code; env stays valid "
          "for",
          "// the app's whole life.",
          f"int app_main(const struct {app.name}_env *env);"]
    return "\n".join(o) + "\n"


def gen_config_decoder(app):
    """C lines that decode the config blob into env (see system.encode_config)."""
    o = ["// Decodes the config blob init copied from the boot plan; returns false if it was not",
         "// written for this version of the app or is malformed in any way.",
         f"static bool config_decode(const struct start_info *si, struct {app.name}_env *env) {{",
         "    uint32_t len = si->config_len;",
         "    if (len > START_CONFIG_MAX)",
         "        return false;",
         "    struct wire_reader r = {si->config, len, 0, false};",
         "    uint64_t n;",
         "    const uint8_t *p;",
         "    (void)n;",
         "    (void)p;",
         "    (void)env;"]
    cfg = app.config()
    if not cfg:
        o += ["    if (len == 0)",
              "        return true; // the app has no config: none is needed"]
    o += [f"    if (wire_get(&r, 4) != {CONFIG_MAGIC:#x}u || wire_get(&r, 4) != "
          f"{config_schema_hash(app):#x}u ||",
          "        wire_get(&r, 4) != len - 12u)",
          "        return false;"]
    for e in cfg:
        if e.type in C_INT:
            size, signed = INT_TYPES[e.type]
            o.append(f"    env->{e.key} = ({C_INT[e.type]})wire_get(&r, {size});")
            conds = []
            lo, hi = int_range(e.type)
            if e.min is not None and e.min > lo:
                conds.append(f"env->{e.key} < {c_literal(e.min, e.type)}")
            if e.max is not None and e.max < hi:
                conds.append(f"env->{e.key} > {c_literal(e.max, e.type)}")
            if conds:
                o += [f"    if ({' || '.join(conds)})", "        return false;"]
        elif e.type == "bool":
            o += ["    n = wire_get(&r, 1);", "    if (n > 1)", "        return false;",
                  f"    env->{e.key} = n == 1;"]
        else:
            o += ["    n = wire_get(&r, 2);",
                  f"    if (n > {e.max_len} || !(p = wire_get_bytes(&r, n)) || wire_has_nul(p, n))",
                  "        return false;",
                  f"    memcpy(env->{e.key}, p, n);",
                  f"    env->{e.key}[n] = '\\0';"]
    o += ["    return !r.bad && r.pos == len;", "}"]
    return o


def c_literal(v, type_):
    if type_ == "i64" and v == -(1 << 63):
        return "INT64_MIN"
    suffix = {"u8": "u", "u16": "u", "u32": "u", "u64": "ull", "i32": "", "i64": "ll"}[type_]
    return f"{v}{suffix}"


def gen_startup(app):
    n = app.name
    o = [banner(app.path), f"// Startup of app '{n}': receives the environment, checks it against "
         "the spec, calls app_main.",
         f"#include <apps/{n}/env.h>", "#include <protocols/wire.h>", "#include <string.h>"]
    # The app's protocol code is compiled here, so each app links exactly what it speaks.
    o += [f"#include <protocols/{p}.c>" for p in app.protocols()]
    o += ["", f"static struct {n}_env env;", ""]
    o += gen_config_decoder(app)
    o += ["",
          "// A required handle, or -1 after logging what is missing.",
          "static handle_t need(const char *name, const char *what) {",
          "    handle_t h = env_handle(name);",
          "    if (h <= 0)",
          "        log_error(\"startup: no \\\"%s\\\" in the environment (%s); check the system "
          "spec\", name, what);",
          "    return h > 0 ? h : -1;",
          "}",
          "",
          "// Called by libstellina's _start once the gate is set; returns the exit code.",
          "int __app_start(const struct start_info *si) {",
          "    bool ok = true;",
          "    if ((env.init = need(\"init\", \"the channel from init\")) < 0)",
          "        ok = false;"]
    for e in app.env:
        if e.type == "service":
            if e.optional:
                o += [f"    env.{e.key} = env_handle(\"{e.key}\");",
                      f"    if (env.{e.key} < 0)",
                      f"        env.{e.key} = 0;"]
            else:
                o += [f"    if ((env.{e.key} = need(\"{e.key}\", \"a '{e.protocol}' service\")) "
                      "< 0)", "        ok = false;"]
        elif e.type == "console":
            o += [f"    env.{e.key} = si->console;",
                  f"    if (env.{e.key} <= 0) {{",
                  "        log_error(\"startup: no console; the system spec gives it to one "
                  "instance\");",
                  "        ok = false;",
                  "    }"]
        elif e.type == "device" and e.optional:
            # The machine may lack the device: both handles or neither.
            o += [f"    env.{e.key}_mmio = env_handle(\"{e.key}.mmio\");",
                  f"    env.{e.key}_irq = env_handle(\"{e.key}.irq\");",
                  f"    if (env.{e.key}_mmio <= 0 || env.{e.key}_irq <= 0)",
                  f"        env.{e.key}_mmio = env.{e.key}_irq = 0;"]
        elif e.type == "device":
            for part in ("mmio", "irq"):
                o += [f"    if ((env.{e.key}_{part} = need(\"{e.key}.{part}\", \"device "
                      f"{e.compatible}\")) < 0)", "        ok = false;"]
    o += ["    if (!config_decode(si, &env)) {",
          "        log_error(\"startup: bad config blob (%u bytes): not built for this version of "
          f"app '{n}'\", si->config_len);",
          "        ok = false;",
          "    }",
          "    if (!ok)",
          "        return 2;",
          "    return app_main(&env);",
          "}"]
    return "\n".join(o) + "\n"
