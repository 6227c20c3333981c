// SPDX-License-Identifier: MIT
// Host tests of the device-tree reader (kernel/drivers/fdt.c) on a blob built here, intact and damaged.
// UNIT_SOURCES: kernel/drivers/fdt.c
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../abi/error.h"
#include "../../kernel/drivers/fdt.h"

// ---- a tiny DTB writer (just enough of the format for these tests) --------

#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_END 9

struct dtb {
    uint8_t structs[4096], strings[1024];
    size_t ns, nstr;
};

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void tok(struct dtb *d, uint32_t t) {
    put32(d->structs + d->ns, t);
    d->ns += 4;
}

static void bytes(struct dtb *d, const void *p, size_t len) {
    memcpy(d->structs + d->ns, p, len);
    d->ns += len;
    while (d->ns % 4)
        d->structs[d->ns++] = 0;
}

static void begin(struct dtb *d, const char *name) {
    tok(d, FDT_BEGIN_NODE);
    bytes(d, name, strlen(name) + 1);
}

static void prop(struct dtb *d, const char *name, const void *val, size_t len) {
    uint32_t nameoff = (uint32_t)d->nstr;
    memcpy(d->strings + d->nstr, name, strlen(name) + 1);
    d->nstr += strlen(name) + 1;
    tok(d, FDT_PROP);
    tok(d, (uint32_t)len);
    tok(d, nameoff);
    bytes(d, val, len);
}

static void prop_cells(struct dtb *d, const char *name, const uint32_t *cells, size_t n) {
    uint8_t buf[64];
    for (size_t i = 0; i < n; i++)
        put32(buf + 4 * i, cells[i]);
    prop(d, name, buf, 4 * n);
}

static void prop_str(struct dtb *d, const char *name, const char *s) {
    prop(d, name, s, strlen(s) + 1);
}

// Assembles header + empty memreserve map + blocks; returns a malloc'd blob.
static uint8_t *dtb_finish(struct dtb *d, size_t *size) {
    size_t rsv = 40, st = rsv + 16, str = st + d->ns;
    *size = str + d->nstr;
    uint8_t *b = calloc(1, *size);
    put32(b + 0, 0xd00dfeed);
    put32(b + 4, (uint32_t)*size);
    put32(b + 8, (uint32_t)st);
    put32(b + 12, (uint32_t)str);
    put32(b + 16, (uint32_t)rsv);
    put32(b + 20, 17);
    put32(b + 24, 16);
    put32(b + 32, (uint32_t)d->nstr);
    put32(b + 36, (uint32_t)d->ns);
    memcpy(b + st, d->structs, d->ns);
    memcpy(b + str, d->strings, d->nstr);
    return b;
}

// A machine like QEMU's virt: 2 cells of address and size at the root, a
// UART and two virtio-mmio slots under /soc (1 cell each), an interrupt controller.
static uint8_t *sample(size_t *size) {
    static struct dtb d;
    memset(&d, 0, sizeof(d));
    begin(&d, "");
    prop_cells(&d, "#address-cells", (uint32_t[]){2}, 1);
    prop_cells(&d, "#size-cells", (uint32_t[]){2}, 1);
    begin(&d, "memory@80000000");
    prop_str(&d, "device_type", "memory");
    prop_cells(&d, "reg", (uint32_t[]){0, 0x80000000, 0, 0x8000000}, 4);
    tok(&d, FDT_END_NODE);
    begin(&d, "soc");
    prop_cells(&d, "#address-cells", (uint32_t[]){1}, 1);
    prop_cells(&d, "#size-cells", (uint32_t[]){1}, 1);
    prop_cells(&d, "interrupt-parent", (uint32_t[]){7}, 1);
    begin(&d, "plic@c000000");
    prop_cells(&d, "phandle", (uint32_t[]){7}, 1);
    prop_cells(&d, "#interrupt-cells", (uint32_t[]){1}, 1);
    prop(&d, "compatible", "sifive,plic-1.0.0\0riscv,plic0", 30);
    tok(&d, FDT_END_NODE);
    begin(&d, "serial@10000000");
    prop_str(&d, "compatible", "ns16550a");
    prop_cells(&d, "reg", (uint32_t[]){0x10000000, 0x100}, 2);
    prop_cells(&d, "interrupts", (uint32_t[]){10}, 1);
    tok(&d, FDT_END_NODE);
    for (uint32_t i = 1; i <= 2; i++) {
        char name[32];
        snprintf(name, sizeof(name), "virtio_mmio@1000%u000", i);
        begin(&d, name);
        prop_str(&d, "compatible", "virtio,mmio");
        prop_cells(&d, "reg", (uint32_t[]){0x10000000 + i * 0x1000, 0x1000}, 2);
        prop_cells(&d, "interrupts", (uint32_t[]){i}, 1);
        tok(&d, FDT_END_NODE);
    }
    tok(&d, FDT_END_NODE); // soc
    tok(&d, FDT_END_NODE); // root
    tok(&d, FDT_END);
    return dtb_finish(&d, size);
}

TEST(finds_nodes_regs_and_irqs) {
    size_t size;
    uint8_t *blob = sample(&size);
    struct fdt f;
    EXPECT_EQ(fdt_init(&f, blob, size), 0);
    int mem = fdt_find_path(&f, "/memory");
    EXPECT_TRUE(mem >= 0);
    uint64_t base = 0, len = 0;
    EXPECT_EQ(fdt_reg(&f, mem, 0, &base, &len), 0);
    EXPECT_EQ(base, 0x80000000u);
    EXPECT_EQ(len, 0x8000000u);
    EXPECT_EQ(fdt_reg(&f, mem, 1, &base, &len), ERR_NOT_FOUND);

    int uart = fdt_find_compatible(&f, -1, "ns16550a");
    EXPECT_TRUE(uart >= 0);
    EXPECT_EQ(fdt_reg(&f, uart, 0, &base, &len), 0); // one cell each under /soc
    EXPECT_EQ(base, 0x10000000u);
    EXPECT_EQ(len, 0x100u);
    EXPECT_EQ(fdt_irq(&f, uart, 0), 10);
    EXPECT_EQ(fdt_irq(&f, uart, 1), ERR_NOT_FOUND);

    int plic = fdt_find_compatible(&f, -1, "riscv,plic0"); // the second string of the list
    EXPECT_TRUE(plic >= 0);
    EXPECT_EQ(fdt_find_phandle(&f, 7), plic);

    int v1 = fdt_find_compatible(&f, -1, "virtio,mmio");
    int v2 = fdt_find_compatible(&f, v1, "virtio,mmio");
    EXPECT_TRUE(v1 >= 0 && v2 > v1);
    EXPECT_EQ(fdt_find_compatible(&f, v2, "virtio,mmio"), ERR_NOT_FOUND);
    EXPECT_EQ(fdt_irq(&f, v2, 0), 2);
    EXPECT_TRUE(strcmp(fdt_node_name(&f, v2), "virtio_mmio@10002000") == 0);
    EXPECT_EQ(fdt_parent(&f, v2), fdt_find_path(&f, "/soc"));
    EXPECT_EQ(fdt_find_path(&f, "/nothing"), ERR_NOT_FOUND);
    free(blob);
}

TEST(rejects_bad_headers) {
    size_t size;
    uint8_t *blob = sample(&size);
    struct fdt f;
    EXPECT_EQ(fdt_init(&f, blob, size - 1), ERR_INVALID_ARG); // totalsize over the limit
    blob[0] ^= 0xff;
    EXPECT_EQ(fdt_init(&f, blob, size), ERR_INVALID_ARG); // bad magic
    blob[0] ^= 0xff;
    put32(blob + 8, (uint32_t)size + 4); // structure block outside the blob
    EXPECT_EQ(fdt_init(&f, blob, size), ERR_INVALID_ARG);
    free(blob);
}

// Walks everything a boot would look at; with a damaged blob it must not
// read outside the blob (ASan watches) and must terminate. Returns the
// nodes visited (0 if the header was refused).
static int walk_all(const uint8_t *blob, size_t size) {
    struct fdt f;
    if (fdt_init(&f, blob, size) < 0)
        return 0;
    int depth = 0, steps = 0;
    for (int n = fdt_root(&f); n >= 0 && steps < 10000; n = fdt_next_node(&f, n, &depth), steps++) {
        uint64_t base, len;
        fdt_node_name(&f, n);
        fdt_reg(&f, n, 0, &base, &len);
        fdt_irq(&f, n, 0);
        fdt_is_compatible(&f, n, "virtio,mmio");
        fdt_parent(&f, n);
    }
    fdt_find_path(&f, "/soc/serial");
    fdt_find_phandle(&f, 7);
    return steps;
}

TEST(survives_truncation_and_corruption) {
    size_t size;
    uint8_t *blob = sample(&size);
    for (size_t cut = 0; cut < size; cut++) {
        // A copy exactly `cut` bytes long, so ASan sees any read past it.
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, blob, cut);
        walk_all(copy, cut);
        free(copy);
    }
    srand(1);
    int walked = 0;
    for (int round = 0; round < 3000; round++) {
        uint8_t *copy = malloc(size);
        memcpy(copy, blob, size);
        for (int k = 0; k < 4; k++)
            copy[40 + (size_t)rand() % (size - 40)] = (uint8_t)rand(); // keep the header, damage the rest
        walked += walk_all(copy, size) > 0;
        free(copy);
    }
    // The damage must reach the parser, not just be refused by the header check.
    EXPECT_TRUE(walked > 1000);
    free(blob);
}
