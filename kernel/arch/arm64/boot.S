// SPDX-License-Identifier: MIT
// The arm64 kernel's first instructions: the Image header QEMU's -kernel reads, EL2 to EL1, boot page tables, MMU on.

#define KERNEL_VBASE_HI 0xffff // KERNEL_VBASE >> 48 (arm64.h)
#define SCTLR_RES1 0x30d00800  // bits RES1 on ARMv8.0; M, C, I and the rest 0
#define SCTLR_ON (SCTLR_RES1 | (1 << 0) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 12)) // M C SA SA0 I
#define MAIR_VALUE 0x4404ff    // attr0 normal write-back, attr1 device-nGnRE, attr2 normal uncached
// TCR_EL1: 48-bit halves (T0SZ = T1SZ = 16), 4 KiB granules, write-back inner-shareable walks.
#define TCR_BASE 0xb5103510
// 1 GiB blocks of the boot map: AF, and UXN; RAM inner-shareable attr0, devices attr1 and PXN.
#define BLOCK_NORMAL 0x0040000000000701
#define BLOCK_DEVICE 0x0060000000000405

.section .text.boot, "ax"
// The arm64 Image header (Linux's Documentation/arm64/booting.rst): QEMU
// loads the file at a 2 MiB-aligned RAM base + text_offset and, seeing the
// magic, enters it at EL1 (or EL2) with x0 = the DTB's physical address.
.global _start
_start:
    b primary          // code0
    .long 0            // code1
    .quad 0x200000     // text_offset: at RAM base + 2 MiB (0x40200000 on virt)
    .quad __kernel_size // image_size, .bss included
    .quad 0x2          // flags: little-endian, 4 KiB pages, base close to RAM start
    .quad 0, 0, 0      // res2-res4
    .byte 0x41, 0x52, 0x4d, 0x64 // "ARM\x64"
    .long 0            // res5: no PE header

primary:
    mov x19, x0 // the DTB, kept for arm64_boot
    msr daifset, #0xf
    // The kernel is linked for one physical address: refuse any other.
    adr x1, _start
    ldr x2, =_start
    movz x3, #KERNEL_VBASE_HI, lsl #48
    sub x2, x2, x3
    cmp x1, x2
    b.ne park

    mrs x1, CurrentEL
    lsr x1, x1, #2
    cmp x1, #2
    b.ne in_el1
    // At EL2 (virt with virtualization=on): the kernel belongs at EL1.
    mov x1, #(1 << 31) // HCR_EL2.RW: EL1 is AArch64; nothing else trapped
    msr hcr_el2, x1
    mrs x1, cnthctl_el2
    orr x1, x1, #3 // EL1 may use the physical counter and timer
    msr cnthctl_el2, x1
    msr cntvoff_el2, xzr
    mrs x1, id_aa64pfr0_el1
    ubfx x1, x1, #24, #4 // a GICv3 system register interface?
    cbz x1, 1f
    mrs x1, s3_4_c12_c9_5 // ICC_SRE_EL2: let EL1 use ICC_* (SRE) and ICC_SRE_EL1 (Enable)
    mov x2, #0x9
    orr x1, x1, x2
    msr s3_4_c12_c9_5, x1
    isb
1:  ldr x1, =SCTLR_RES1
    msr sctlr_el1, x1
    mov x1, #0x3c5 // EL1h, DAIF masked
    msr spsr_el2, x1
    adr x1, in_el1
    msr elr_el2, x1
    eret

in_el1:
    ldr x1, =SCTLR_RES1 // MMU and caches off until the tables exist
    msr sctlr_el1, x1
    isb
    msr cpacr_el1, xzr // FP/SIMD traps: neither kernel nor apps use it
    // Clear .bss (it holds the boot tables and stack), at physical addresses:
    // adrp is PC-relative, and the PC is physical until the MMU is on.
    adrp x1, __bss_start
    add x1, x1, :lo12:__bss_start
    adrp x2, __bss_end
    add x2, x2, :lo12:__bss_end
2:  cmp x1, x2
    b.hs 3f
    str xzr, [x1], #8
    b 2b
3:
    // The boot map: one level-0 entry and 1 GiB blocks, the same table for
    // TTBR0 (identity, for the instructions until the jump up) and TTBR1
    // (KERNEL_VBASE + pa): both index the low 48 bits alike. 0-1 GiB holds
    // the devices, 1-4 GiB the RAM with the kernel and the DTB.
    adrp x1, arm64_boot_l0
    adrp x2, arm64_boot_l1
    orr x3, x2, #3 // table descriptor
    str x3, [x1]
    ldr x3, =BLOCK_DEVICE
    str x3, [x2]
    ldr x3, =BLOCK_NORMAL
    mov x4, #1
4:  orr x5, x3, x4, lsl #30
    str x5, [x2, x4, lsl #3]
    add x4, x4, #1
    cmp x4, #4
    b.lo 4b
    dsb ish

    ldr x3, =MAIR_VALUE
    msr mair_el1, x3
    ldr x3, =TCR_BASE
    mrs x4, id_aa64mmfr0_el1
    and x5, x4, #7 // PARange -> IPS, at most 48 bits (5)
    cmp x5, #5
    mov x6, #5
    csel x5, x5, x6, ls
    orr x3, x3, x5, lsl #32
    ubfx x5, x4, #4, #4 // ASIDBits: 2 = 16-bit ASIDs available
    cmp x5, #2
    b.ne 5f
    orr x3, x3, #(1 << 36) // TCR.AS
5:  msr tcr_el1, x3
    msr ttbr0_el1, x1
    msr ttbr1_el1, x1
    isb
    tlbi vmalle1
    dsb nsh
    isb
    ldr x3, =SCTLR_ON
    msr sctlr_el1, x3
    isb
    ldr x3, =high
    br x3

high:
    // Now at KERNEL_VBASE + pa: the stack, vectors and C are all up here.
    ldr x1, =boot_stack_top
    mov sp, x1
    ldr x1, =arm64_vectors
    msr vbar_el1, x1
    isb
    mov x29, #0 // ends backtraces
    mov x30, #0
    mov x0, x19
    bl arm64_boot // never returns
park:
    wfe
    b park

.section .bss
.balign 4096
.global arm64_boot_l0
arm64_boot_l0:
    .space 4096
arm64_boot_l1:
    .space 4096
.balign 16
.global arm64_boot_stack
arm64_boot_stack:
    .space 16384
boot_stack_top:
