#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes the libFuzzer harness for every protocol's generated decoders, plus a seed corpus.
"""Usage: gen_harness.py --protocols "DIRS" --out FILE.c --corpus DIR

The harness turns each input into a received message (byte 0 picks the kind,
byte 1 the handle count, the rest is the data, in a heap block exactly as
long as the data so ASan sees any read past it) and, for every message of
every protocol with that kind, checks that a successful decode re-encodes to
the very same bytes and handles. It also runs each protocol's dispatcher with
no handlers and with handlers that accept everything.
"""
import argparse
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tools" / "specgen"))
from specs import load_protocols, split_path  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--protocols", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--corpus", required=True)
    args = ap.parse_args()
    protocols = load_protocols(split_path(args.protocols))
    msgs = [(p, m) for p in protocols.values() for m in p.messages]
    kinds = sorted({m.kind for _, m in msgs}) + [4, 0x7777]  # MSG_ERROR, an unknown kind
    o = ["// SPDX-License-Identifier: MIT",
         "// DO NOT EDIT: written by tests/fuzz/gen_harness.py; fuzzes the generated decoders.",
         "#include \"host_stubs.h\"",
         "#include <stddef.h>",
         "#include <stdlib.h>",
         "#include <protocols/wire.h>"]
    o += [f"#include <protocols/{p}.c>" for p in protocols]
    o += ["",
          "extern int stub_quiet;",
          f"static const uint32_t kinds[] = {{{', '.join(hex(k) for k in kinds)}}};",
          "#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))",
          "",
          "// Decoded successfully: encoding it again must give the same message.",
          "static void same(const struct msg *m, const uint8_t *buf, int len, const handle_t *hs,",
          "                 uint32_t nh) {",
          "    if (len != (int)m->len || memcmp(buf, m->data, m->len) != 0 ||",
          "        nh != m->nhandles || (nh && memcmp(hs, m->handles, nh * sizeof(*hs)) != 0))",
          "        __builtin_trap();",
          "}",
          ""]
    for p in protocols.values():
        for m in p.messages:
            o += [f"static int accept_{p.name}_{m.name}(void *ctx, handle_t ch, "
                  f"const struct {p.name}_{m.name} *v) {{",
                  "    return 0;",
                  "}"]
        o.append(f"static const struct {p.name}_handlers all_{p.name} = {{")
        o += [f"    .{m.name} = accept_{p.name}_{m.name}," for m in p.messages]
        o += ["};", f"static const struct {p.name}_handlers none_{p.name};", ""]
    o += ["int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {",
          "    stub_quiet = 1;",
          "    if (size < 2)",
          "        return 0;",
          "    size_t len = size - 2 > MSG_MAX_DATA ? MSG_MAX_DATA : size - 2;",
          "    struct msg *m = malloc(offsetof(struct msg, data) + len);",
          "    if (!m)",
          "        return 0;",
          "    m->kind = kinds[data[0] % NKINDS];",
          "    m->len = (uint32_t)len;",
          "    // Up to 7: the decoders must not trust a count over MSG_MAX_HANDLES either.",
          "    m->nhandles = data[1] & 7;",
          "    for (int i = 0; i < MSG_MAX_HANDLES; i++)",
          "        m->handles[i] = 100 + i;",
          "    memcpy(m->data, data + 2, len);",
          "    uint8_t buf[MSG_MAX_DATA + 1];",
          "    handle_t hs[MSG_MAX_HANDLES + 1];"]
    for p, m in msgs:
        s = f"{p.name}_{m.name}"
        o += [f"    if (m->kind == {s.upper()}_KIND) {{",
              f"        struct {s} *v = malloc(sizeof(*v));",
              f"        if (v && {s}_decode(m, v) == 0)",
              f"            same(m, buf, {s}_encode(v, buf, sizeof(buf), hs), hs, "
              f"{s.upper()}_HANDLES);",
              "        free(v);",
              "    }"]
    for p in protocols.values():
        o += [f"    {p.name}_dispatch(&none_{p.name}, NULL, 1, m);",
              f"    {p.name}_dispatch(&all_{p.name}, NULL, 1, m);"]
    o += ["    free(m);", "    return 0;", "}"]
    pathlib.Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(args.out).write_text("\n".join(o) + "\n")
    # Seeds: every message at its smallest valid encoding (zero integers, empty strings).
    os.makedirs(args.corpus, exist_ok=True)
    for p, m in msgs:
        seed = bytes([kinds.index(m.kind), len(m.handles())]) + bytes(m.min_len())
        (pathlib.Path(args.corpus) / f"seed-{p.name}-{m.name}").write_bytes(seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
