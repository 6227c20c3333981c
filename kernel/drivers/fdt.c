// SPDX-License-Identifier: MIT
// A small, bounds-checked reader of flattened device trees: every offset is checked, so a malformed blob reads as "not found".
#include "fdt.h"
#include <string.h>
#include "../../abi/error.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_HEADER_SIZE 40
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9
// Deeper trees are treated as malformed (real ones are 4-6 levels deep).
#define FDT_MAX_DEPTH 32

// Reads the token-sized cell at `off` in the structure block; false if outside.
static bool struct_u32(const struct fdt *f, uint32_t off, uint32_t *out) {
    if ((off & 3) || off > f->struct_size || f->struct_size - off < 4)
        return false;
    *out = fdt_be32(f->blob + f->struct_off + off);
    return true;
}

// A NUL-terminated string starting at `off` of a block of `size` bytes at
// `base`, or NULL if the terminator is not inside the block.
static const char *block_string(const struct fdt *f, uint32_t base, uint32_t size, uint32_t off) {
    if (off >= size)
        return NULL;
    const char *s = (const char *)f->blob + base + off;
    if (strnlen(s, size - off) == size - off)
        return NULL;
    return s;
}

// Decodes the token at `off`: its kind in *tok and the offset of the token
// after it (skipping a node name or a property value) in *next. Returns false
// if the token or what it covers does not fit in the structure block.
static bool next_token(const struct fdt *f, uint32_t off, uint32_t *tok, uint32_t *next) {
    if (!struct_u32(f, off, tok))
        return false;
    uint64_t end; // 64-bit so that huge lengths in a broken blob cannot wrap
    switch (*tok) {
    case FDT_BEGIN_NODE: {
        const char *name = block_string(f, f->struct_off, f->struct_size, off + 4);
        if (!name)
            return false;
        end = (uint64_t)off + 4 + strlen(name) + 1;
        break;
    }
    case FDT_PROP: {
        uint32_t len;
        if (!struct_u32(f, off + 4, &len))
            return false;
        end = (uint64_t)off + 12 + len;
        break;
    }
    case FDT_END_NODE:
    case FDT_NOP:
    case FDT_END:
        end = (uint64_t)off + 4;
        break;
    default:
        return false;
    }
    end = (end + 3) & ~(uint64_t)3;
    if (end > f->struct_size)
        return false;
    *next = (uint32_t)end;
    return true;
}

// Whether `node` is the offset of a BEGIN_NODE token.
static bool is_node(const struct fdt *f, int node) {
    uint32_t tok;
    return node >= 0 && struct_u32(f, (uint32_t)node, &tok) && tok == FDT_BEGIN_NODE;
}

int fdt_init(struct fdt *f, const void *blob, size_t max_size) {
    const uint8_t *b = blob;
    if (!b || max_size < FDT_HEADER_SIZE || fdt_be32(b) != FDT_MAGIC)
        return ERR_INVALID_ARG;
    uint32_t total = fdt_be32(b + 4);
    uint32_t off_struct = fdt_be32(b + 8), off_strings = fdt_be32(b + 12);
    uint32_t off_rsvmap = fdt_be32(b + 16), version = fdt_be32(b + 20);
    uint32_t size_strings = fdt_be32(b + 32), size_struct = fdt_be32(b + 36);
    // Version 17 is what every current producer writes; 16 lacks size_dt_struct.
    if (version < 17 || total < FDT_HEADER_SIZE || total > max_size)
        return ERR_INVALID_ARG;
    if ((uint64_t)off_struct + size_struct > total || (uint64_t)off_strings + size_strings > total ||
        off_rsvmap >= total || (off_struct & 3) || (off_rsvmap & 7))
        return ERR_INVALID_ARG;
    f->blob = b;
    f->size = total;
    f->struct_off = off_struct;
    f->struct_size = size_struct;
    f->strings_off = off_strings;
    f->strings_size = size_strings;
    f->rsvmap_off = off_rsvmap;
    return 0;
}

int fdt_root(const struct fdt *f) {
    uint32_t off = 0, tok, next;
    while (next_token(f, off, &tok, &next)) {
        if (tok == FDT_BEGIN_NODE)
            return (int)off;
        if (tok != FDT_NOP)
            break;
        off = next;
    }
    return ERR_NOT_FOUND;
}

int fdt_next_node(const struct fdt *f, int node, int *depth) {
    if (node < 0)
        return fdt_root(f);
    if (!is_node(f, node))
        return ERR_NOT_FOUND;
    // level: how deep we are relative to the inside of `node`; offsets only
    // grow, so the loop ends even on a broken blob.
    int level = 0;
    uint32_t off = (uint32_t)node, tok, next;
    if (!next_token(f, off, &tok, &next))
        return ERR_NOT_FOUND;
    for (off = next; next_token(f, off, &tok, &next); off = next) {
        if (tok == FDT_BEGIN_NODE) {
            if (depth)
                *depth += level + 1;
            return (int)off;
        }
        if (tok == FDT_END_NODE && --level < -FDT_MAX_DEPTH)
            break;
        if (tok == FDT_END)
            break;
    }
    return ERR_NOT_FOUND;
}

int fdt_first_child(const struct fdt *f, int node) {
    int depth = 0;
    int next = fdt_next_node(f, node, &depth);
    return (next >= 0 && depth == 1) ? next : ERR_NOT_FOUND;
}

int fdt_next_sibling(const struct fdt *f, int node) {
    int depth = 0;
    for (int n = fdt_next_node(f, node, &depth); n >= 0; n = fdt_next_node(f, n, &depth)) {
        if (depth == 0)
            return n;
        if (depth < 0)
            break;
    }
    return ERR_NOT_FOUND;
}

int fdt_parent(const struct fdt *f, int node) {
    int path[FDT_MAX_DEPTH];
    int depth = 0;
    for (int n = fdt_root(f); n >= 0; n = fdt_next_node(f, n, &depth)) {
        if (depth < 0 || depth >= FDT_MAX_DEPTH)
            break;
        path[depth] = n;
        if (n == node)
            return depth > 0 ? path[depth - 1] : ERR_NOT_FOUND;
        if (n > node) // walk order is offset order: we went past it
            break;
    }
    return ERR_NOT_FOUND;
}

const char *fdt_node_name(const struct fdt *f, int node) {
    if (!is_node(f, node))
        return NULL;
    return block_string(f, f->struct_off, f->struct_size, (uint32_t)node + 4);
}

const void *fdt_prop(const struct fdt *f, int node, const char *name, size_t *len) {
    uint32_t off = (uint32_t)node, tok, next;
    if (!is_node(f, node) || !next_token(f, off, &tok, &next))
        return NULL;
    // Properties come before the first child; stop at a child or the node's end.
    for (off = next; next_token(f, off, &tok, &next); off = next) {
        if (tok == FDT_NOP)
            continue;
        if (tok != FDT_PROP)
            break;
        uint32_t plen, nameoff;
        struct_u32(f, off + 4, &plen); // next_token checked both cells
        struct_u32(f, off + 8, &nameoff);
        const char *pname = block_string(f, f->strings_off, f->strings_size, nameoff);
        if (pname && strcmp(pname, name) == 0) {
            if (len)
                *len = plen;
            return f->blob + f->struct_off + off + 12;
        }
    }
    return NULL;
}

bool fdt_prop_u32(const struct fdt *f, int node, const char *name, uint32_t *out) {
    size_t len;
    const void *p = fdt_prop(f, node, name, &len);
    if (!p || len != 4)
        return false;
    *out = fdt_be32(p);
    return true;
}

bool fdt_is_compatible(const struct fdt *f, int node, const char *compat) {
    size_t len;
    const char *p = fdt_prop(f, node, "compatible", &len);
    if (!p)
        return false;
    size_t want = strlen(compat);
    // A list of NUL-terminated strings; the last one may lack its NUL in a bad blob.
    for (size_t i = 0; i < len;) {
        size_t n = strnlen(p + i, len - i);
        if (n == want && memcmp(p + i, compat, n) == 0)
            return true;
        i += n + 1;
    }
    return false;
}

int fdt_find_compatible(const struct fdt *f, int after, const char *compat) {
    int n = after < 0 ? fdt_root(f) : fdt_next_node(f, after, NULL);
    for (; n >= 0; n = fdt_next_node(f, n, NULL)) {
        if (fdt_is_compatible(f, n, compat))
            return n;
    }
    return ERR_NOT_FOUND;
}

// Whether a node name matches one path component of `len` bytes.
static bool name_matches(const char *name, const char *comp, size_t len) {
    if (!name || strncmp(name, comp, len) != 0)
        return false;
    if (name[len] == '\0')
        return true;
    // "memory" matches "memory@80000000" unless the component has its own unit address.
    if (name[len] != '@')
        return false;
    for (size_t i = 0; i < len; i++) {
        if (comp[i] == '@')
            return false;
    }
    return true;
}

int fdt_find_path(const struct fdt *f, const char *path) {
    if (path[0] != '/')
        return ERR_NOT_FOUND;
    int node = fdt_root(f);
    const char *p = path + 1;
    while (node >= 0 && *p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        int child = fdt_first_child(f, node);
        while (child >= 0 && !name_matches(fdt_node_name(f, child), p, len))
            child = fdt_next_sibling(f, child);
        node = child;
        p += len;
        while (*p == '/')
            p++;
    }
    return node >= 0 ? node : ERR_NOT_FOUND;
}

int fdt_find_phandle(const struct fdt *f, uint32_t phandle) {
    for (int n = fdt_root(f); n >= 0; n = fdt_next_node(f, n, NULL)) {
        uint32_t v;
        if ((fdt_prop_u32(f, n, "phandle", &v) || fdt_prop_u32(f, n, "linux,phandle", &v)) &&
            v == phandle)
            return n;
    }
    return ERR_NOT_FOUND;
}

// A number of `cells` (1 or 2) big-endian cells.
static uint64_t read_cells(const uint8_t *p, uint32_t cells) {
    uint64_t v = 0;
    for (uint32_t i = 0; i < cells; i++)
        v = (v << 32) | fdt_be32(p + 4 * i);
    return v;
}

int fdt_reg(const struct fdt *f, int node, int i, uint64_t *base, uint64_t *size) {
    uint32_t ac = 2, sc = 1;
    int parent = fdt_parent(f, node);
    if (parent >= 0) {
        fdt_prop_u32(f, parent, "#address-cells", &ac);
        fdt_prop_u32(f, parent, "#size-cells", &sc);
    }
    if (ac < 1 || ac > 2 || sc > 2)
        return ERR_INVALID_ARG;
    size_t len;
    const uint8_t *p = fdt_prop(f, node, "reg", &len);
    size_t entry = 4 * (ac + sc);
    if (!p || i < 0 || (size_t)i >= len / entry)
        return ERR_NOT_FOUND;
    p += entry * (size_t)i;
    *base = read_cells(p, ac);
    *size = read_cells(p + 4 * ac, sc);
    return 0;
}

int64_t fdt_irq(const struct fdt *f, int node, int i) {
    // The interrupt parent is inherited: look at the node, then its ancestors.
    uint32_t phandle = 0;
    bool found = false;
    for (int n = node, hops = 0; n >= 0 && hops < FDT_MAX_DEPTH && !found; hops++) {
        found = fdt_prop_u32(f, n, "interrupt-parent", &phandle);
        n = fdt_parent(f, n);
    }
    uint32_t cells = 1;
    if (found) {
        int ctrl = fdt_find_phandle(f, phandle);
        if (ctrl < 0 || !fdt_prop_u32(f, ctrl, "#interrupt-cells", &cells))
            return ERR_NOT_FOUND;
    }
    if (cells < 1 || cells > 4)
        return ERR_NOT_FOUND;
    size_t len;
    const uint8_t *p = fdt_prop(f, node, "interrupts", &len);
    if (!p || i < 0 || (size_t)i >= len / (4 * cells))
        return ERR_NOT_FOUND;
    p += 4 * cells * (size_t)i;
    if (cells != 3)
        return fdt_be32(p);
    uint32_t type = fdt_be32(p), num = fdt_be32(p + 4);
    if (type == 0)
        return (int64_t)num + 32; // SPI
    if (type == 1)
        return (int64_t)num + 16; // PPI
    return ERR_NOT_FOUND;
}

int fdt_mem_reserved(const struct fdt *f, int i, uint64_t *base, uint64_t *size) {
    for (int k = 0; k >= 0; k++) {
        uint64_t off = f->rsvmap_off + 16 * (uint64_t)k;
        if (off + 16 > f->size)
            break;
        uint64_t b = read_cells(f->blob + off, 2), s = read_cells(f->blob + off + 8, 2);
        if (b == 0 && s == 0)
            break;
        if (k == i) {
            *base = b;
            *size = s;
            return 0;
        }
    }
    return ERR_NOT_FOUND;
}
