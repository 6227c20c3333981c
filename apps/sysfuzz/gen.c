// SPDX-License-Identifier: MIT
// sysfuzz's argument pools: a seeded PRNG, interesting integers, handles, msginfo words and pointers with what is known about them.
#include "sysfuzz.h"

static uint64_t rng_state;
uint8_t *scratch, *heap_block, *thread_stacks;
static bool gen_in_kernel;

void rng_seed(uint64_t seed) {
    rng_state = seed;
}

uint64_t rng_next(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t rng_below(uint64_t n) {
    return rng_next() % n;
}

bool rng_pct(unsigned percent) {
    return rng_below(100) < percent;
}

void gen_init(bool in_kernel) {
    gen_in_kernel = in_kernel;
}

static const int64_t interesting[] = {
    0, 1, -1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 32, 63, 64, 65, 127, 128, 255, 256, 1023, 1024,
    4095, 4096, 4097, 8191, 8192, 65535, 65536, 65537, 0x7fff, 0x8000, 0x7fffffff,
    -0x7fffffffll - 1, 0xffffffffll, 0x100000000ll, 0x100000001ll, -4096, -2,
    0x7fffffffffffffffll, -0x7fffffffffffffffll - 1, -0x7fffffffffffffffll,
};

int64_t gen_value(void) {
    switch (rng_below(4)) {
    case 0:
        return (int64_t)rng_next();
    case 1:
        return (int64_t)rng_below(64);
    default:
        return interesting[rng_below(sizeof(interesting) / sizeof(interesting[0]))];
    }
}

int64_t gen_handle(int prefer_type) {
    switch (rng_below(16)) {
    case 0: return 0;
    case 1: return -1;
    case 2: return model_pick_closed();
    case 3: return 0x7fffffff;
    case 4: return rng_pct(50) ? 65536 : 65537; // the kernel's table limit
    case 5: return rng_pct(50) ? (int64_t)(-0x7fffffffll - 1) : (int64_t)HMAX + 100;
    case 6: {
        // Random, but never a small number once cut to 32 bits: those are
        // the app's own (the aliasing case below does that on purpose).
        int64_t v = (int64_t)rng_next();
        if ((uint32_t)v < HMAX + 64)
            v |= 1 << 20;
        return v;
    }
    case 15: // high bits set over one of its handles: (handle_t) of it names that handle
        return (int64_t)(1ull << (32 + rng_below(31))) | model_pick(prefer_type);
    case 7: return model_pick(0); // any type: mostly the wrong one
    default: return model_pick(prefer_type);
    }
}

msginfo_t gen_msginfo(void) {
    uint32_t kind = rng_pct(80) ? (uint32_t)(1 + rng_below(300)) : (uint32_t)rng_next() & 0x7fffffff;
    uint32_t len = rng_pct(70) ? (uint32_t)rng_below(65)
                   : rng_pct(50) ? (uint32_t)(MSG_MAX_DATA - 2 + rng_below(5))
                                 : (uint32_t)rng_below(0x2000);
    uint32_t nh = rng_pct(60) ? 0 : (uint32_t)rng_below(6);
    msginfo_t info = MSGINFO(kind, len & 0x1fff, nh & 7);
    if (rng_pct(8)) // reserved bits: the kernel must refuse them
        info |= (msginfo_t)(1ull << (rng_pct(50) ? 13 + rng_below(3) : 19 + rng_below(13)));
    if (rng_pct(3))
        info |= (msginfo_t)(1ull << 63);
    if (rng_pct(2))
        info = (msginfo_t)rng_next();
    return info;
}

uint32_t data_sum(const void *p, uint64_t len) {
    const uint8_t *b = p;
    uint32_t h = 2166136261u;
    for (uint64_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

// A code address of the app: readable and executable, never writable.
static void code_marker(void) {
}
static const char rodata_text[] = "sysfuzz: log_write fuzz line\n";

// Addresses that are the kernel's on some arch (riscv64, arm64, x86_64) or
// past the end of every user range: refused in user mode. In-kernel mode
// trusts its apps with kernel memory by design, so they are left out there.
static const uint64_t kernel_addrs[] = {
    0x80200000ull, 0x80000000ull, 0xffff000040200000ull, 0xffffffff80000000ull,
    0xffffffff80001000ull, 0xffff800000000000ull, 0xfffffffffffff000ull, 0xffffffffffffffffull,
    0x0000800000000000ull, 0x4000000000ull,
};

struct ptr gen_ptr(uint8_t *stack_buf) {
    struct ptr p = {0};
    switch (rng_below(gen_in_kernel ? 11 : 13)) {
    case 0:
        p.addr = 0, p.what = "NULL", p.end_known = true;
        break;
    case 1:
        p.addr = 0x1000 + rng_below(4) * 0x1000 + (rng_pct(20) ? rng_below(8) : 0);
        p.what = "low unmapped", p.end_known = true;
        break;
    case 2: { // the guard page after the scratch folio
        p.addr = (uint64_t)(uintptr_t)scratch + SCRATCH_SIZE + rng_below(64);
        p.what = "guard page", p.end_known = true;
        break;
    }
    case 3:
    case 4:
    case 5: { // scratch: anywhere, misaligned, or just before the end
        uint64_t off = rng_pct(50) ? rng_below(SCRATCH_SIZE) : SCRATCH_SIZE - rng_below(64) - 1;
        if (rng_pct(30))
            off = rng_below(64);
        p.addr = (uint64_t)(uintptr_t)scratch + off;
        p.room_r = p.room_w = SCRATCH_SIZE - off;
        p.what = "scratch", p.end_known = true;
        break;
    }
    case 6: { // the caller's stack: only STACK_BUF bytes are free to write
        uint64_t off = rng_below(STACK_BUF);
        p.addr = (uint64_t)(uintptr_t)stack_buf + off;
        p.room_r = p.room_w = STACK_BUF - off;
        p.what = "stack";
        break;
    }
    case 7: {
        uint64_t off = rng_below(HEAP_BLOCK);
        p.addr = (uint64_t)(uintptr_t)heap_block + off;
        p.room_r = p.room_w = HEAP_BLOCK - off;
        p.what = "heap";
        break;
    }
    case 8: // code: readable, never writable
        p.addr = (uint64_t)(uintptr_t)&code_marker + rng_below(8);
        p.room_r = 4, p.what = "code";
        break;
    case 9:
        p.addr = (uint64_t)(uintptr_t)rodata_text + rng_below(8);
        p.room_r = sizeof(rodata_text) - 1 - (p.addr - (uint64_t)(uintptr_t)rodata_text); // no NUL
        p.what = "rodata";
        break;
    case 10: { // a fuzz mapping, or where one was
        int i = (int)rng_below(MAP_MAX);
        if (maps[i].va) {
            uint64_t off = rng_below(maps[i].len + 16);
            p.addr = maps[i].va + off;
            p.what = "fuzz mapping";
            if (off < maps[i].len) {
                p.room_r = maps[i].prot & PROT_READ ? maps[i].len - off : 0;
                p.room_w = maps[i].prot & PROT_WRITE ? maps[i].len - off : 0;
                p.end_known = (maps[i].prot & (PROT_READ | PROT_WRITE)) == (PROT_READ | PROT_WRITE);
            }
        } else {
            p.addr = 0x1000, p.what = "low unmapped", p.end_known = true;
        }
        break;
    }
    default: // user mode only
        p.addr = kernel_addrs[rng_below(sizeof(kernel_addrs) / sizeof(kernel_addrs[0]))] +
                 (rng_pct(20) ? rng_below(4096) : 0);
        p.what = "kernel", p.end_known = true;
        break;
    }
    return p;
}

enum pvalid ptr_ok(const struct ptr *p, uint64_t len, bool write) {
    if (len == 0)
        return PV_YES;
    uint64_t room = write ? p->room_w : p->room_r;
    if (p->addr + len < p->addr)
        return PV_NO; // wraps around
    if (len <= room)
        return PV_YES;
    // Not even the first byte is accessible that way (NULL, kernel, guard,
    // unmapped, writes to code), or the room ends at unmapped memory.
    if (room == 0 || p->end_known)
        return PV_NO;
    return PV_MAYBE;
}

uint64_t gen_len(const struct ptr *p, bool write, uint64_t typical) {
    uint64_t len;
    switch (rng_below(8)) {
    case 0: len = 0; break;
    case 1: len = 1; break;
    case 2: len = typical; break;
    case 3: len = typical + 1; break;
    case 4: len = rng_pct(50) ? 4096 : 4097; break;
    case 5: len = rng_pct(50) ? (uint64_t)gen_value() : 1ull << (rng_below(64)); break;
    default: len = rng_below(typical + 1); break;
    }
    // The kernel may write every byte it accepted: only past memory that is
    // certainly unmapped may a write run off the end.
    uint64_t room = write ? p->room_w : p->room_r;
    if (write && !p->end_known && len > room && p->room_w + p->room_r > 0)
        len = room;
    return len;
}
