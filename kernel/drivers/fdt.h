// SPDX-License-Identifier: MIT
// A small, bounds-checked reader of flattened device trees (DTB), usable in the kernel and on the host.
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// A parsed view of one blob. Nothing is copied: the blob must outlive it.
// Nodes are named by their offset in the structure block (an int >= 0);
// functions that look a node up return ERR_NOT_FOUND when there is none, and
// every function accepts any int as a node: a bad one reads as "no node".
struct fdt {
    const uint8_t *blob;
    uint32_t size;          // header totalsize, checked against the caller's limit
    uint32_t struct_off, struct_size;
    uint32_t strings_off, strings_size;
    uint32_t rsvmap_off;
};

// Checks the header of `blob` (magic, version >= 16, every block inside
// totalsize, totalsize <= max_size) and fills `f`. Returns 0, or
// ERR_INVALID_ARG for anything malformed (then `f` must not be used).
int fdt_init(struct fdt *f, const void *blob, size_t max_size);

// The root node ("/"), or ERR_NOT_FOUND if the tree is empty or broken.
int fdt_root(const struct fdt *f);
// Depth-first walk: the node after `node` (children first, then siblings,
// then the parent's siblings). `depth`, if not NULL, is adjusted by the levels
// moved (+1 into a child, 0 to a sibling, negative going up). Returns
// ERR_NOT_FOUND at the end of the tree.
int fdt_next_node(const struct fdt *f, int node, int *depth);
// The first child of `node` / the next sibling of `node`, or ERR_NOT_FOUND.
int fdt_first_child(const struct fdt *f, int node);
int fdt_next_sibling(const struct fdt *f, int node);
// The parent of `node` (a walk from the root), or ERR_NOT_FOUND for the root.
int fdt_parent(const struct fdt *f, int node);
// The node's name with its unit address ("cpu@0"; "" for the root), or NULL.
const char *fdt_node_name(const struct fdt *f, int node);

// A property of `node`: a pointer into the blob (big-endian data) and its
// length in *len (if len is not NULL), or NULL if there is no such property.
const void *fdt_prop(const struct fdt *f, int node, const char *name, size_t *len);
// A one-cell property as a host-endian number. Returns false if it is absent
// or not 4 bytes long (then *out is unchanged).
bool fdt_prop_u32(const struct fdt *f, int node, const char *name, uint32_t *out);
// Whether the node's "compatible" string list contains `compat`.
bool fdt_is_compatible(const struct fdt *f, int node, const char *compat);

// The first node after `after` (in walk order; pass -1 to start at the root)
// whose compatible list contains `compat`, or ERR_NOT_FOUND.
int fdt_find_compatible(const struct fdt *f, int after, const char *compat);
// The node at an absolute path ("/cpus", "/soc/plic@c000000"). A component
// without '@' also matches a node name with a unit address ("/memory" finds
// "memory@80000000"). Returns ERR_NOT_FOUND if there is none.
int fdt_find_path(const struct fdt *f, const char *path);
// The node whose "phandle" property equals `phandle`, or ERR_NOT_FOUND.
int fdt_find_phandle(const struct fdt *f, uint32_t phandle);

// The i-th (base, size) pair of the node's "reg", decoded with the parent's
// #address-cells/#size-cells (defaults 2 and 1; up to 2 cells each). Returns 0,
// ERR_NOT_FOUND if there is no i-th entry, or ERR_INVALID_ARG if the cells
// are too wide for 64 bits.
int fdt_reg(const struct fdt *f, int node, int i, uint64_t *base, uint64_t *size);
// The i-th interrupt of the node's "interrupts", using #interrupt-cells of its
// interrupt parent (the nearest "interrupt-parent" up the tree). With 1 or 2
// cells the IRQ is the first cell; with 3 cells (the ARM GIC binding) an SPI
// <0 n flags> is n + 32 and a PPI <1 n flags> is n + 16. Returns the IRQ
// number (>= 0) or ERR_NOT_FOUND.
int64_t fdt_irq(const struct fdt *f, int node, int i);
// The i-th entry of the /memreserve/ map. Returns 0 or ERR_NOT_FOUND.
int fdt_mem_reserved(const struct fdt *f, int i, uint64_t *base, uint64_t *size);

// Reads a big-endian 32-bit cell (as found in property data).
static inline uint32_t fdt_be32(const void *p) {
    const uint8_t *b = p;
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}
