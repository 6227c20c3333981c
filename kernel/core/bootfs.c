// SPDX-License-Identifier: MIT
// The boot filesystem: a read-only archive of named files linked into the kernel image (see tools/mkbootfs.py).
#include "bootfs.h"
#include <string.h>

extern const uint8_t __bootfs_start[], __bootfs_end[];

void bootfs_init(void) {
    size_t total = (size_t)(__bootfs_end - __bootfs_start);
    const struct bootfs_header *hdr = (const struct bootfs_header *)__bootfs_start;
    if (total < sizeof(*hdr) || hdr->magic != BOOTFS_MAGIC ||
        hdr->num_files > (total - sizeof(*hdr)) / sizeof(struct bootfs_entry))
        panic("bootfs: bad archive header");
    const struct bootfs_entry *e = (const struct bootfs_entry *)(hdr + 1);
    for (uint32_t i = 0; i < hdr->num_files; i++) {
        if (e[i].name[BOOTFS_NAME_MAX - 1] != '\0' || e[i].offset > total ||
            e[i].size > total - e[i].offset)
            panic("bootfs: bad entry %u", i);
    }
}

const void *bootfs_find(const char *name, size_t *size) {
    const struct bootfs_header *hdr = (const struct bootfs_header *)__bootfs_start;
    const struct bootfs_entry *e = (const struct bootfs_entry *)(hdr + 1);
    for (uint32_t i = 0; i < hdr->num_files; i++) {
        if (strcmp(e[i].name, name) == 0) {
            *size = e[i].size;
            return __bootfs_start + e[i].offset;
        }
    }
    return NULL;
}
