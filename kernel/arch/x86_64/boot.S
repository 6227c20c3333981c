// SPDX-License-Identifier: MIT
// The x86_64 kernel's first instructions: PVH entry in 32-bit protected mode, switch to long mode, call x86_64_boot.

#define CR0_PE (1 << 0)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define EFER_LME (1 << 8)
#define PTE_P 0x1
#define PTE_W 0x2
#define PTE_PS 0x80

// QEMU's -kernel finds the 32-bit entry point in this note (Xen's PVH boot
// protocol): name "Xen", type XEN_ELFNOTE_PHYS32_ENTRY (18). QEMU reads the
// descriptor as a pointer-sized value, so it is 8 bytes.
.section .note.pvh, "a", @note
.p2align 2
    .long 4          // namesz
    .long 8          // descsz
    .long 18         // type
    .asciz "Xen"
    .quad x86_64_pvh_start

// PVH state: 32-bit protected mode, flat segments, paging and interrupts off,
// ebx = physical address of the hvm_start_info. No stack, no usable GDT.
.section .text.boot, "ax"
.code32
.global x86_64_pvh_start
x86_64_pvh_start:
    cli
    cld
    // Clear .bss (where the boot page tables and stack live); ebx survives.
    movl $__bss_start, %edi
    movl $__bss_end, %ecx
    subl %edi, %ecx
    xorl %eax, %eax
    rep stosb

    // Boot page tables: identity map of the first 4 GiB with 2 MiB pages
    // (RAM below 4 GiB and the APICs); x86_64_boot replaces them.
    movl $boot_pdpt, %eax
    orl $(PTE_P | PTE_W), %eax
    movl %eax, boot_pml4
    movl $boot_pd, %eax
    orl $(PTE_P | PTE_W), %eax
    movl $boot_pdpt, %edi
    movl $4, %ecx
1:  movl %eax, (%edi)
    addl $4096, %eax
    addl $8, %edi
    loop 1b
    // 2048 entries of 2 MiB: entry i maps i << 21; the high dword of each
    // entry (bits 32..) is set for i >= 2048 only, which we do not reach.
    movl $boot_pd, %edi
    movl $(PTE_P | PTE_W | PTE_PS), %eax
    movl $2048, %ecx
2:  movl %eax, (%edi)
    addl $0x200000, %eax
    addl $8, %edi
    loop 2b

    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl %cr4, %eax
    orl $CR4_PAE, %eax
    movl %eax, %cr4
    movl $0xc0000080, %ecx // EFER
    rdmsr
    orl $EFER_LME, %eax
    wrmsr
    movl %cr0, %eax
    orl $(CR0_PE | CR0_WP | CR0_PG), %eax
    movl %eax, %cr0
    // Now in compatibility mode; a 64-bit code segment takes us to long mode.
    lgdt boot_gdt_desc
    ljmp $0x08, $long_mode

.code64
long_mode:
    movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    xorl %eax, %eax
    movl %eax, %fs
    movl %eax, %gs
    movabsq $boot_stack_top, %rsp
    xorl %ebp, %ebp // frame pointer 0 ends backtraces here
    movl %ebx, %edi // the start info's physical address (zero-extended)
    call x86_64_boot
3:  hlt
    jmp 3b

.section .rodata
.p2align 3
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff // 0x08: 64-bit code, ring 0
    .quad 0x00cf92000000ffff // 0x10: data, ring 0
boot_gdt_end:
boot_gdt_desc:
    .word boot_gdt_end - boot_gdt - 1
    .long boot_gdt

.section .bss
.p2align 12
boot_pml4:
    .space 4096
boot_pdpt:
    .space 4096
boot_pd:
    .space 4 * 4096
.p2align 4
.global x86_64_boot_stack
x86_64_boot_stack:
    .space 16384
boot_stack_top:
