// SPDX-License-Identifier: MIT
// The boot filesystem: a read-only archive of named files linked into the kernel image (see tools/mkbootfs.py).
#pragma once
#include "common.h"

#define BOOTFS_MAGIC 0x53464253 // "SBFS"
#define BOOTFS_NAME_MAX 56

struct bootfs_header {
    uint32_t magic;
    uint32_t num_files;
};

struct bootfs_entry {
    char name[BOOTFS_NAME_MAX]; // NUL-terminated
    uint32_t offset;            // from the start of the archive
    uint32_t size;
};

// Checks the archive once at boot; panics if the image was built wrong.
void bootfs_init(void);
// Finds a file by name; returns its bytes and size, or NULL.
const void *bootfs_find(const char *name, size_t *size);
