// SPDX-License-Identifier: MIT
// sysfuzz's calls other than channels: log, handles, polls, folios and mappings, interrupts, threads, timers, console, sysinfo.
#include "sysfuzz.h"

#define RIGHTS_POLL  (RIGHT_READ | RIGHT_WRITE | RIGHT_DUP)
#define RIGHTS_TIMER (RIGHT_READ | RIGHT_WRITE | RIGHT_DUP | RIGHT_TRANSFER)
#define RIGHTS_INTR  (RIGHT_READ | RIGHT_WRITE | RIGHT_DUP | RIGHT_TRANSFER)
#define RIGHTS_THREAD (RIGHT_READ | RIGHT_DUP)
#define BIG_FOLIO 65536 // larger folios are closed at once: the warm-up maps no larger ones

static int64_t last_now;
static uint32_t irq_held[64]; // IRQ numbers the app holds (by object)
static int irq_obj[64];

static void op_log_write(uint8_t *stack_buf) {
    struct ptr p = gen_ptr(stack_buf);
    uint64_t len = gen_len(&p, false, 32);
    enum pvalid v = ptr_ok(&p, len, false);
    // Whatever is accepted reaches the console: keep that to a few short lines.
    if (v != PV_NO && len && (rng_pct(97) || strcmp(p.what, "rodata")))
        len = 0, v = PV_YES;
    else if (v != PV_NO && len > p.room_r)
        len = p.room_r, v = PV_YES; // the rodata line itself, nothing past it
    uint32_t want = (int64_t)len < 0 || len > 64 * 1024 ? X(ERR_TOO_LARGE)
                    : v == PV_NO                        ? X(ERR_BAD_ADDR)
                    : v == PV_YES                       ? X_OK
                                                        : X_OK | X(ERR_BAD_ADDR);
    int64_t r = fz_call(SYS_LOG_WRITE, (int64_t)p.addr, (int64_t)len, 0, 0, 0);
    if (fz_want("log_write", r, want) && r > 0)
        fuzz_fail("log_write returned %lld, not 0", (long long)r);
}

static void op_log_read(uint8_t *stack_buf) {
    struct ptr p = gen_ptr(stack_buf);
    uint64_t len = gen_len(&p, true, 256);
    int64_t off = rng_pct(60) ? (int64_t)rng_below(1 << 17) : gen_value();
    enum pvalid v = ptr_ok(&p, len, true);
    uint32_t want = (int64_t)len < 0 || off < 0 ? X(ERR_INVALID_ARG)
                    : v == PV_NO                ? X(ERR_BAD_ADDR)
                                                : X_OK;
    int64_t r = fz_call(SYS_LOG_READ, (int64_t)p.addr, (int64_t)len, off, 0, 0);
    if (fz_want("log_read", r, want) && r >= 0 && (uint64_t)r > len)
        fuzz_fail("log_read returned %lld bytes for a %llu-byte buffer", (long long)r,
                  (unsigned long long)len);
}

static void op_handle_close(void) {
    int64_t h = gen_handle(0);
    handle_t hh = (handle_t)h;
    int64_t r = fz_call(SYS_HANDLE_CLOSE, h, 0, 0, 0, 0);
    if (!fz_want("handle_close", r, want_handle(h, 0, 0)) || r < 0)
        return;
    model_close(hh);
    if (handle_open(hh))
        fuzz_fail("handle %d still open after handle_close", hh);
}

static void op_handle_dup(void) {
    int64_t h = gen_handle(0);
    handle_t hh = (handle_t)h;
    int64_t rights = rng_pct(70) && model_is_open(hh) ? (int64_t)(handles[hh].rights & rng_next())
                                                     : gen_value();
    uint32_t want = want_handle(h, 0, RIGHT_DUP);
    if (want == X_OK && ((uint64_t)rights & ~(uint64_t)handles[hh].rights))
        want = X(ERR_NOT_ALLOWED);
    if (want == X_OK && model_live() >= LIVE_MAX)
        return; // enough handles
    if (want == X_OK)
        want |= X(ERR_NO_MEMORY) | X(ERR_TOO_LARGE);
    int64_t r = fz_call(SYS_HANDLE_DUP, h, rights, 0, 0, 0);
    if (fz_want("handle_dup", r, want) && r >= 0)
        model_install((handle_t)r, handles[hh].obj, (uint32_t)rights);
}

static void op_poll_create(void) {
    if (model_live() >= LIVE_MAX)
        return;
    int64_t r = fz_call(SYS_POLL_CREATE, gen_value(), gen_value(), 0, 0, 0);
    if (fz_want("poll_create", r, X_OK | X(ERR_NO_MEMORY)) && r >= 0)
        model_install((handle_t)r, model_new_obj(OT_POLL), RIGHTS_POLL);
}

static int64_t gen_interests(void) {
    return rng_pct(85) ? (int64_t)rng_below(8) : gen_value();
}

static int poll_find(struct mobj *p, handle_t h) {
    for (int i = 0; i < p->npoll; i++) {
        if (p->ph[i] == h)
            return i;
    }
    return -1;
}

static void op_poll_add(void) {
    int64_t ph = gen_handle(OT_POLL), h = rng_pct(5) ? vmspace_h : gen_handle(0);
    int64_t interests = gen_interests();
    uint64_t cookie = rng_next();
    uint32_t want = want_handle(ph, OT_POLL, RIGHT_WRITE);
    struct mobj *p = want == X_OK ? &objs[handles[(handle_t)ph].obj] : NULL;
    if (p && p->npoll >= POLL_ENTRIES)
        return;
    if (want == X_OK)
        want = want_handle(h, 0, RIGHT_READ);
    if (want == X_OK && (interests < 0 || interests > UINT32_MAX ||
                         (interests & ~(int64_t)(POLL_READABLE | POLL_WRITABLE | POLL_CLOSED))))
        want = X(ERR_INVALID_ARG);
    if (want == X_OK && model_type((handle_t)h) == OT_POLL)
        want = X(ERR_NOT_SUPPORTED);
    if (want == X_OK && poll_find(p, (handle_t)h) >= 0)
        want = X(ERR_IN_USE);
    if (want == X_OK)
        want |= X(ERR_NO_MEMORY);
    int64_t r = fz_call(SYS_POLL_ADD, ph, h, interests, (int64_t)cookie, 0);
    if (fz_want("poll_add", r, want) && r == 0) {
        p->ph[p->npoll] = (handle_t)h;
        p->pint[p->npoll] = (uint32_t)interests;
        p->pcookie[p->npoll++] = cookie;
    }
}

static void op_poll_update_remove(bool remove) {
    int64_t ph = gen_handle(OT_POLL);
    uint32_t want = want_handle(ph, OT_POLL, RIGHT_WRITE);
    struct mobj *p = want == X_OK ? &objs[handles[(handle_t)ph].obj] : NULL;
    int64_t h = p && p->npoll && rng_pct(70) ? p->ph[rng_below((uint64_t)p->npoll)] : gen_handle(0);
    int64_t interests = gen_interests();
    // The kernel's order: interests in range, a handle number at all, known
    // interest bits, then the entry.
    bool is_handle = h == (int64_t)(handle_t)h;
    if (want == X_OK && !remove && (interests < 0 || interests > UINT32_MAX))
        want = X(ERR_INVALID_ARG);
    if (want == X_OK && !is_handle)
        want = X(ERR_NOT_FOUND);
    if (want == X_OK && !remove && (interests & ~(int64_t)(POLL_READABLE | POLL_WRITABLE | POLL_CLOSED)))
        want = X(ERR_INVALID_ARG);
    int at = p && is_handle ? poll_find(p, (handle_t)h) : -1;
    if (want == X_OK && at < 0)
        want = X(ERR_NOT_FOUND);
    int64_t r = remove ? fz_call(SYS_POLL_REMOVE, ph, h, 0, 0, 0)
                       : fz_call(SYS_POLL_UPDATE, ph, h, interests, 0, 0);
    if (!fz_want(remove ? "poll_remove" : "poll_update", r, want) || r != 0)
        return;
    if (!remove) {
        p->pint[at] = (uint32_t)interests;
        return;
    }
    p->npoll--;
    p->ph[at] = p->ph[p->npoll];
    p->pint[at] = p->pint[p->npoll];
    p->pcookie[at] = p->pcookie[p->npoll];
}

static void op_poll_wait(uint8_t *stack_buf) {
    int64_t ph = gen_handle(OT_POLL);
    struct ptr p = gen_ptr(stack_buf);
    int64_t max = rng_pct(70) ? (int64_t)rng_below(70) : gen_value();
    uint32_t want = want_handle(ph, OT_POLL, RIGHT_READ);
    if (want == X_OK && max <= 0)
        want = X(ERR_INVALID_ARG);
    uint64_t n = max > 64 ? 64 : (uint64_t)max;
    struct mobj *po = want == X_OK ? &objs[handles[(handle_t)ph].obj] : NULL;
    if (want == X_OK && ptr_ok(&p, n * sizeof(struct poll_event), true) == PV_MAYBE)
        p = (struct ptr){.addr = (uint64_t)(uintptr_t)scratch, .room_r = SCRATCH_SIZE,
                         .room_w = SCRATCH_SIZE, .end_known = true, .what = "scratch"};
    // Which entries are certainly ready, and whether any might be.
    int sure = 0, unsure = 0;
    for (int i = 0; po && i < po->npoll; i++) {
        int rd = model_readiness(po->ph[i]);
        if (rd < 0)
            unsure++;
        else if (rd & (po->pint[i] | POLL_CLOSED))
            sure++;
    }
    // Block long only when something is ready: a poll_wait must never hang the run.
    static const int64_t short_timeouts[] = {0, 0, 1, 1000, 20000};
    int64_t timeout = short_timeouts[rng_below(5)];
    if (sure && rng_pct(30))
        timeout = rng_pct(50) ? -1 : INT64_MAX;
    if (want == X_OK && ptr_ok(&p, n * sizeof(struct poll_event), true) == PV_NO)
        want = X(ERR_BAD_ADDR);
    else if (want == X_OK)
        want = sure ? X_OK : unsure ? X_OK | X(ERR_TIMED_OUT) : X(ERR_TIMED_OUT);
    int64_t r = fz_call(SYS_POLL_WAIT, ph, (int64_t)p.addr, max, timeout, 0);
    if (!fz_want("poll_wait", r, want) || r < 0)
        return;
    if ((uint64_t)r > n) {
        fuzz_fail("poll_wait returned %lld events for max %llu", (long long)r, (unsigned long long)n);
        return;
    }
    struct poll_event *ev = (struct poll_event *)(uintptr_t)p.addr;
    int seen_sure = 0;
    for (int64_t k = 0; k < r; k++) {
        struct poll_event e;
        memcpy(&e, &ev[k], sizeof(e));
        int at = poll_find(po, e.handle);
        if (at < 0 || po->pcookie[at] != e.cookie) {
            fuzz_fail("poll_wait: event for handle %d (cookie %#llx) the poll does not watch",
                      e.handle, (unsigned long long)e.cookie);
            return;
        }
        int rd = model_readiness(e.handle);
        uint32_t mask = po->pint[at] | POLL_CLOSED;
        if ((rd >= 0 && e.events != ((uint32_t)rd & mask)) || (e.events & ~mask) || !e.events) {
            fuzz_fail("poll_wait: handle %d events %#x, the model says %#x (interests %#x)",
                      e.handle, e.events, rd >= 0 ? (unsigned)rd & mask : 0u, po->pint[at]);
            return;
        }
        seen_sure += rd >= 0;
    }
    if ((uint64_t)r < n && seen_sure < sure)
        fuzz_fail("poll_wait: %lld events, but %d handles are ready", (long long)r, sure);
}

static void op_folio_alloc(void) {
    static const int64_t sizes[] = {0, 1, 4095, 4096, 4097, 8192, 65536, -1, -4096,
                                    64ll << 20, (64ll << 20) + 1, 1ll << 40, INT64_MAX, INT64_MIN};
    int64_t size = rng_pct(60) ? 1 + (int64_t)rng_below(5 * 4096) : sizes[rng_below(14)];
    if (model_live() >= LIVE_MAX)
        return;
    uint32_t want = size <= 0 ? X(ERR_INVALID_ARG)
                    : (uint64_t)size > (64ull << 20) ? X(ERR_TOO_LARGE)
                                                     : X_OK | X(ERR_NO_MEMORY);
    int64_t r = fz_call(SYS_FOLIO_ALLOC, size, 0, 0, 0, 0);
    if (!fz_want("folio_alloc", r, want) || r < 0)
        return;
    if (size > BIG_FOLIO) { // do not sit on a good part of the guest's memory
        if (fz_call(SYS_HANDLE_CLOSE, r, 0, 0, 0, 0) != 0)
            fuzz_fail("closing a big folio failed");
        return;
    }
    int o = model_new_obj(OT_FOLIO);
    objs[o].size = ((uint64_t)size + 4095) & ~4095ull;
    model_install((handle_t)r, o, RIGHT_ALL);
}

static void op_folio_paddr(void) {
    int64_t h = gen_handle(OT_FOLIO);
    int64_t r = fz_call(SYS_FOLIO_PADDR, h, 0, 0, 0, 0);
    if (fz_want("folio_paddr", r, want_handle(h, OT_FOLIO, RIGHT_MAP)) && r >= 0 && (r & 4095))
        fuzz_fail("folio_paddr: %#llx is not page-aligned", (unsigned long long)r);
}

static void op_vmspace_map(void) {
    int64_t vh = rng_pct(75) ? vmspace_h : gen_handle(0), fh = gen_handle(OT_FOLIO);
    int64_t prot = rng_pct(80) ? (int64_t)rng_below(8) : gen_value();
    int free_slot = 0;
    for (int i = 0; i < MAP_MAX; i++)
        free_slot += maps[i].va == 0;
    uint32_t want = want_handle(vh, OT_VMSPACE, RIGHT_WRITE);
    if (want == X_OK)
        want = want_handle(fh, OT_FOLIO, RIGHT_MAP);
    if (want == X_OK && (prot <= 0 || (prot & ~(int64_t)(PROT_READ | PROT_WRITE | PROT_EXEC))))
        want = X(ERR_INVALID_ARG);
    if (want == X_OK && !free_slot)
        return;
    if (want == X_OK)
        want |= X(ERR_NO_MEMORY) | X(ERR_NOT_SUPPORTED); // some arches refuse W+X
    int64_t r = fz_call(SYS_VMSPACE_MAP, vh, fh, prot, 0, 0);
    if (!fz_want("vmspace_map", r, want) || r < 0)
        return;
    int fo = handles[(handle_t)fh].obj;
    if (r & 4095) {
        fuzz_fail("vmspace_map: %#llx is not page-aligned", (unsigned long long)r);
        return;
    }
    model_map_add((uint64_t)r, objs[fo].size, fo, (uint32_t)prot);
    if ((prot & (PROT_READ | PROT_WRITE)) == (PROT_READ | PROT_WRITE)) {
        volatile uint8_t *m = (volatile uint8_t *)(uintptr_t)r;
        m[0] = 0x5a, m[objs[fo].size - 1] = 0xa5;
        if (m[0] != 0x5a || m[objs[fo].size - 1] != 0xa5)
            fuzz_fail("vmspace_map: the new mapping does not keep what is written");
    }
}

static void op_vmspace_unmap(void) {
    int64_t vh = rng_pct(80) ? vmspace_h : gen_handle(0);
    int i = (int)rng_below(MAP_MAX);
    uint64_t va;
    switch (rng_below(6)) {
    case 0: va = (uint64_t)gen_value() | 1; break; // never a mapping's start
    case 1: va = (uint64_t)(uintptr_t)scratch + 4096; break; // inside one, not its start
    case 2: va = 0; break;
    default: va = maps[i].va ? maps[i].va : 0x1000; break;
    }
    uint32_t want = want_handle(vh, OT_VMSPACE, RIGHT_WRITE);
    struct mmap *m = va ? model_map_find(va) : NULL;
    if (want == X_OK)
        want = m ? X_OK : X(ERR_NOT_FOUND);
    int64_t r = fz_call(SYS_VMSPACE_UNMAP, vh, (int64_t)va, 0, 0, 0);
    if (fz_want("vmspace_unmap", r, want) && r == 0) {
        model_unref(m->obj);
        m->va = 0;
    }
}

static void op_interrupt_create(void) {
    static const int64_t irqs[] = {0, -1, 1024, 1023, 0x100000001ll, INT64_MIN, INT64_MAX, 4096};
    int64_t irq = rng_pct(50) ? (int64_t)(1 + rng_below(80)) : irqs[rng_below(8)];
    if (model_live() >= LIVE_MAX)
        return;
    // sysfuzz drives no device, so no interrupt is its to claim: in range
    // (which depends on the machine) the answer is ERR_NOT_ALLOWED.
    uint32_t want = irq <= 0 || irq > UINT32_MAX || irq >= 1024
                        ? X(ERR_INVALID_ARG)
                        : X(ERR_INVALID_ARG) | X(ERR_NOT_ALLOWED);
    for (int i = 0; i < 64 && want & X_OK; i++) {
        if (irq_held[i] == irq && objs[irq_obj[i]].type == OT_INTR)
            want = X(ERR_IN_USE);
    }
    int64_t r = fz_call(SYS_INTERRUPT_CREATE, irq, 0, 0, 0, 0);
    if (!fz_want("interrupt_create", r, want) || r < 0)
        return;
    int o = model_new_obj(OT_INTR);
    model_install((handle_t)r, o, RIGHTS_INTR);
    for (int i = 0; i < 64; i++) {
        if (irq_obj[i] == o)
            irq_held[i] = 0; // an earlier interrupt in this object slot is gone
    }
    for (int i = 0; i < 64; i++) {
        if (irq_held[i] == 0 || objs[irq_obj[i]].type != OT_INTR) {
            irq_held[i] = (uint32_t)irq, irq_obj[i] = o;
            break;
        }
    }
}

static void op_simple(int nr, const char *name, int type, uint32_t rights) {
    int64_t h = gen_handle(type);
    int64_t r = fz_call(nr, h, rng_pct(50) ? -1 : gen_value(), 0, 0, 0);
    fz_want(name, r, want_handle(h, type, rights));
}

static void op_timer_create(void) {
    if (model_live() >= LIVE_MAX)
        return;
    int64_t r = fz_call(SYS_TIMER_CREATE, 0, 0, 0, 0, 0);
    if (fz_want("timer_create", r, X_OK | X(ERR_NO_MEMORY)) && r >= 0)
        model_install((handle_t)r, model_new_obj(OT_TIMER), RIGHTS_TIMER);
}

static void op_timer_set(void) {
    int64_t h = gen_handle(OT_TIMER);
    int64_t now = sys_timer_now();
    int64_t deadline;
    switch (rng_below(6)) {
    case 0: deadline = now + (int64_t)rng_below(200000); break;
    case 1: deadline = (int64_t)rng_below(2); break;
    case 2: deadline = -1 - (int64_t)rng_below(3); break;
    case 3: deadline = INT64_MAX - (int64_t)rng_below(2); break;
    case 4: deadline = INT64_MIN; break;
    default: deadline = gen_value(); break;
    }
    int64_t r = fz_call(SYS_TIMER_SET, h, deadline, 0, 0, 0);
    fz_want("timer_set", r, want_handle(h, OT_TIMER, RIGHT_WRITE));
}

static void op_timer_now(void) {
    int64_t r = fz_call(SYS_TIMER_NOW, gen_value(), gen_value(), 0, 0, 0);
    if (r < last_now)
        fuzz_fail("timer_now went back from %lld to %lld", (long long)last_now, (long long)r);
    last_now = r;
}

static void op_console_read(uint8_t *stack_buf) {
    int64_t h = gen_handle(0);
    struct ptr p = gen_ptr(stack_buf);
    uint64_t len = gen_len(&p, true, 64);
    // None of the app's own handles is a console.
    uint32_t want = want_handle(h, 0, 0) == X_OK ? X(ERR_WRONG_TYPE) : X(ERR_BAD_HANDLE);
    int64_t r = fz_call(SYS_CONSOLE_READ, h, (int64_t)p.addr, (int64_t)len, 0, 0);
    fz_want("console_read", r, want);
}

static void op_sysinfo(uint8_t *stack_buf) {
    struct ptr p = gen_ptr(stack_buf);
    uint64_t len = gen_len(&p, true, 64);
    int64_t kind = rng_pct(80) ? (int64_t)rng_below(7) : gen_value();
    enum pvalid v = ptr_ok(&p, len, true);
    static const uint64_t rec[] = {0, sizeof(struct sysinfo_mem), sizeof(struct sysinfo_thread),
                                   sizeof(struct sysinfo_ipc), sizeof(struct sysinfo_instance),
                                   sizeof(struct sysinfo_cpu)};
    uint32_t want;
    if ((int64_t)len < 0)
        want = X(ERR_INVALID_ARG);
    else if (v == PV_NO)
        want = X(ERR_BAD_ADDR);
    else if (kind < 1 || kind > SYSINFO_CPU)
        want = X(ERR_INVALID_ARG);
    else if (kind == SYSINFO_MEM || kind == SYSINFO_IPC || kind == SYSINFO_CPU)
        want = len < rec[kind] ? X(ERR_TOO_SMALL) : X_OK;
    else
        want = X_OK | X(ERR_TOO_SMALL);
    int64_t r = fz_call(SYS_SYSINFO, kind, (int64_t)p.addr, (int64_t)len, 0, 0);
    if (fz_want("sysinfo", r, want) && r >= 0 && ((uint64_t)r > len || (uint64_t)r % rec[kind]))
        fuzz_fail("sysinfo kind %lld: %lld bytes for a %llu-byte buffer", (long long)kind,
                  (long long)r, (unsigned long long)len);
}

void fuzz_op(int nr) {
    uint8_t stack_buf[STACK_BUF];
    switch (nr) {
    case SYS_LOG_WRITE: op_log_write(stack_buf); break;
    case SYS_LOG_READ: op_log_read(stack_buf); break;
    case SYS_HANDLE_CLOSE: op_handle_close(); break;
    case SYS_HANDLE_DUP: op_handle_dup(); break;
    case SYS_CHANNEL_CREATE: op_channel_create(stack_buf); break;
    case SYS_CHANNEL_SEND: op_channel_send(stack_buf, false); break;
    case SYS_CHANNEL_RECV: op_channel_recv(stack_buf); break;
    case SYS_CHANNEL_CALL: op_channel_send(stack_buf, true); break;
    case SYS_POLL_CREATE: op_poll_create(); break;
    case SYS_POLL_ADD: op_poll_add(); break;
    case SYS_POLL_UPDATE: op_poll_update_remove(false); break;
    case SYS_POLL_REMOVE: op_poll_update_remove(true); break;
    case SYS_POLL_WAIT: op_poll_wait(stack_buf); break;
    case SYS_FOLIO_ALLOC: op_folio_alloc(); break;
    case SYS_FOLIO_PADDR: op_folio_paddr(); break;
    case SYS_VMSPACE_MAP: op_vmspace_map(); break;
    case SYS_VMSPACE_UNMAP: op_vmspace_unmap(); break;
    case SYS_INTERRUPT_CREATE: op_interrupt_create(); break;
    case SYS_INTERRUPT_ACK: op_simple(SYS_INTERRUPT_ACK, "interrupt_ack", OT_INTR, RIGHT_WRITE); break;
    case SYS_THREAD_SPAWN: op_thread_spawn(); break;
    case SYS_TIMER_CREATE: op_timer_create(); break;
    case SYS_TIMER_SET: op_timer_set(); break;
    case SYS_TIMER_NOW: op_timer_now(); break;
    case SYS_CONSOLE_READ: op_console_read(stack_buf); break;
    case SYS_SYSINFO: op_sysinfo(stack_buf); break;
    default: break; // thread_exit and process_exit are never called
    }
}
