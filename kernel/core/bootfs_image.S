// SPDX-License-Identifier: MIT
// Embeds the boot filesystem (the system's plan and app ELFs) in the kernel image.
    .section .rodata
    .balign 16
    .global __bootfs_start
    .global __bootfs_end
__bootfs_start:
    .incbin BOOTFS_PATH
__bootfs_end:
