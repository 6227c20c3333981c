// SPDX-License-Identifier: MIT
// Mapped folios (heap pages, DMA buffers) and extra threads.
#include <stellina/app.h>
#include <stellina/mem.h>
#include <stdlib.h>
#include <string.h>

int folio_map_new(size_t size, int want_paddr, struct mapped_folio *out) {
    if (size == 0)
        return ERR_INVALID_ARG;
    if (size > SIZE_MAX - (PAGE_SIZE - 1))
        return ERR_TOO_LARGE;
    size = (size + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1);
    const struct start_info *si = app_start_info();
    if (!si)
        return ERR_INVALID_ARG;
    int64_t folio = sys_folio_alloc(size);
    if (folio < 0)
        return (int)folio;
    uint64_t paddr = 0;
    if (want_paddr) {
        int64_t pa = sys_folio_paddr((handle_t)folio);
        if (pa < 0) {
            sys_handle_close((handle_t)folio);
            return (int)pa;
        }
        paddr = (uint64_t)pa;
    }
    int64_t va = sys_vmspace_map(si->vmspace, (handle_t)folio, PROT_READ | PROT_WRITE);
    if (va < 0) {
        sys_handle_close((handle_t)folio);
        return (int)va;
    }
    *out = (struct mapped_folio){
        .folio = (handle_t)folio, .addr = (void *)(uintptr_t)va, .size = size, .paddr = paddr};
    return 0;
}

int folio_unmap_free(struct mapped_folio *mf) {
    const struct start_info *si = app_start_info();
    int64_t r = sys_vmspace_unmap(si->vmspace, (uintptr_t)mf->addr);
    if (r < 0)
        return (int)r;
    r = sys_handle_close(mf->folio);
    mf->folio = 0;
    mf->addr = NULL;
    return (int)r;
}

void *__libc_alloc_pages(size_t bytes) {
    struct mapped_folio mf;
    if (folio_map_new(bytes, 0, &mf) < 0)
        return NULL;
    // Folio contents are not promised to be zero; malloc's callers are.
    memset(mf.addr, 0, mf.size);
    // The folio handle stays open for the life of the app: the heap never
    // gives pages back.
    return mf.addr;
}

struct thread_boot {
    void (*fn)(void *);
    void *arg;
};

// Where a new thread starts: the kernel passes the thread_boot record placed
// at the top of its stack.
static void thread_trampoline(struct thread_boot *boot) {
    boot->fn(boot->arg);
    sys_thread_exit();
}

handle_t thread_start(void (*fn)(void *), void *arg, size_t stack_size) {
    if (!fn)
        return ERR_INVALID_ARG;
    if (stack_size == 0)
        stack_size = 16 * 1024;
    uint8_t *stack = malloc(stack_size);
    if (!stack)
        return ERR_NO_MEMORY;
    // Keep the stack pointer 16-byte aligned below the boot record.
    uintptr_t top = ((uintptr_t)stack + stack_size - sizeof(struct thread_boot)) & ~(uintptr_t)15;
    struct thread_boot *boot = (struct thread_boot *)top;
    boot->fn = fn;
    boot->arg = arg;
    int64_t t = sys_thread_spawn((uintptr_t)thread_trampoline, (uint64_t)(uintptr_t)boot, top);
    if (t < 0) {
        free(stack);
        return (handle_t)t;
    }
    return (handle_t)t;
}
