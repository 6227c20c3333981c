// SPDX-License-Identifier: MIT
// Tests of the other syscalls: log, handles, folios and vmspace, interrupts, threads, sysinfo, console.
#include "autotest.h"
#include <stdio.h>

void test_bad_syscall(void) {
    CHECK_EQ(sys_call(0, 0, 0, 0, 0, 0), ERR_BAD_SYSCALL);
    CHECK_EQ(sys_call(SYS_MAX + 1, 0, 0, 0, 0, 0), ERR_BAD_SYSCALL);
    CHECK_EQ(sys_call(-1, 0, 0, 0, 0, 0), ERR_BAD_SYSCALL);
    CHECK_EQ(sys_call(1ll << 40, 0, 0, 0, 0, 0), ERR_BAD_SYSCALL);
}

void test_log_write(void) {
    static const char line[] = "autotest: log_write works\n";
    CHECK_EQ(sys_log_write(line, sizeof(line) - 1), 0);
    CHECK_EQ(sys_log_write(line, 0), 0);
    CHECK_EQ(sys_log_write(NULL, 10), ERR_BAD_ADDR);
    CHECK_EQ(sys_log_write(BAD_PTR, 10), ERR_BAD_ADDR);
}

// Finds `needle` in buf[0..len).
static bool contains(const char *buf, size_t len, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++) {
        if (!memcmp(buf + i, needle, n))
            return true;
    }
    return false;
}

void test_log_read(void) {
    static char window[2 * 1024];
    char marker[48];
    snprintf(marker, sizeof(marker), "log-read-marker-%lld", (long long)sys_timer_now());
    printf("autotest: %s\n", marker);
    // Read the ring in 1 KiB chunks; keep the previous chunk so a marker
    // split across two chunks is still found.
    uint64_t off = 0;
    size_t kept = 0;
    bool found = false;
    for (int guard = 0; guard < 100000 && !found; guard++) {
        int64_t n = sys_log_read(window + kept, sizeof(window) / 2, off);
        CHECK(n >= 0, "log_read at %llu: %s", (unsigned long long)off, res_name(n));
        if (n == 0)
            break;
        found = contains(window, kept + (size_t)n, marker);
        off += (uint64_t)n;
        memmove(window, window + kept, (size_t)n);
        kept = (size_t)n;
    }
    CHECK(found, "marker not found in %llu bytes of log", (unsigned long long)off);
    CHECK_EQ(sys_log_read(window, sizeof(window), ~0ull >> 1), 0); // past the end
    CHECK_EQ(sys_log_read(NULL, 16, 0), ERR_BAD_ADDR);
    CHECK_EQ(sys_log_read(BAD_PTR, 16, 0), ERR_BAD_ADDR);
}

// Once the 64 KiB ring has wrapped, reading from offset 0 must start at the
// oldest byte kept and go on from there (it once repeated one chunk).
void test_log_read_wrapped(void) {
    static char record[1024], got[4096];
    for (int i = 0; i < 70; i++) {
        int n = snprintf(record, sizeof(record), "wrap%04d:", i);
        memset(record + n, '.', sizeof(record) - (size_t)n - 1);
        record[sizeof(record) - 1] = '\n';
        CHECK_OK(sys_log_write(record, sizeof(record)));
    }
    int64_t n = sys_log_read(got, sizeof(got), 0);
    CHECK(n == (int64_t)sizeof(got), "log_read from 0 after wrapping: %s", res_name(n));
    int last = -1, seen = 0;
    for (int64_t i = 0; i + 8 <= n; i++) {
        if (memcmp(got + i, "wrap", 4) != 0 || got[i + 8] != ':')
            continue;
        int seq = (got[i + 4] - '0') * 1000 + (got[i + 5] - '0') * 100 + (got[i + 6] - '0') * 10 +
                  (got[i + 7] - '0');
        CHECK(last < 0 || seq == last + 1, "record %d follows record %d", seq, last);
        last = seq;
        seen++;
    }
    CHECK(seen >= 3, "only %d records in 4 KiB read after wrapping", seen);
}

void test_handle_close(void) {
    CHECK_EQ(sys_handle_close(0), ERR_BAD_HANDLE);
    CHECK_EQ(sys_handle_close(-1), ERR_BAD_HANDLE);
    CHECK_EQ(sys_handle_close(NEVER_OPENED), ERR_BAD_HANDLE);
    handle_t t = (handle_t)CHECK_OK(sys_timer_create());
    CHECK_OK(sys_handle_close(t));
    CHECK_EQ(sys_handle_close(t), ERR_BAD_HANDLE);
    CHECK_EQ(sys_timer_set(t, -1), ERR_BAD_HANDLE);
}

void test_handle_dup(void) {
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    CHECK_EQ(sys_handle_dup(0, RIGHT_READ), ERR_BAD_HANDLE);
    CHECK_EQ(sys_handle_dup(NEVER_OPENED, RIGHT_READ), ERR_BAD_HANDLE);
    // A full duplicate is a second name for the same end.
    handle_t full = (handle_t)CHECK_OK(sys_handle_dup(a, RIGHT_READ | RIGHT_WRITE | RIGHT_DUP |
                                                             RIGHT_TRANSFER));
    CHECK(full != a, "dup returned the same handle");
    CHECK_OK(send_bytes(full, 1, 1));
    CHECK_OK(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles));
    CHECK_OK(sys_handle_close(full));
    CHECK_OK(send_bytes(a, 1, 1)); // closing the dup left the original open
    CHECK_OK(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles));
    // Fewer rights: no write, and no dup (so no way back to more rights).
    handle_t ro = (handle_t)CHECK_OK(sys_handle_dup(a, RIGHT_READ));
    CHECK_EQ(send_bytes(ro, 1, 1), ERR_NOT_ALLOWED);
    CHECK_EQ(sys_handle_dup(ro, RIGHT_READ), ERR_NOT_ALLOWED);
    handle_t rd = (handle_t)CHECK_OK(sys_handle_dup(a, RIGHT_READ | RIGHT_DUP));
    CHECK_EQ(sys_handle_dup(rd, RIGHT_READ | RIGHT_WRITE), ERR_NOT_ALLOWED); // not a subset
    CHECK_ONE_OF(sys_handle_dup(a, 1u << 20), ERR_INVALID_ARG, ERR_NOT_ALLOWED);
    CHECK_OK(sys_handle_close(rd));
    CHECK_OK(sys_handle_close(ro));
    CHECK_OK(sys_handle_close(a));
    CHECK_OK(sys_handle_close(b));
}

void test_folio_map(void) {
    const struct start_info *si = app_start_info();
    static const size_t sizes[] = {1, PAGE_SIZE, 3 * PAGE_SIZE - 100, 16 * PAGE_SIZE};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        handle_t f = (handle_t)CHECK_OK(sys_folio_alloc(sizes[s]));
        int64_t pa = CHECK_OK(sys_folio_paddr(f));
        CHECK(pa != 0 && pa % PAGE_SIZE == 0, "paddr %#llx", (unsigned long long)pa);
        int64_t va = CHECK_OK(sys_vmspace_map(si->vmspace, f, PROT_READ | PROT_WRITE));
        CHECK(va % PAGE_SIZE == 0, "vaddr %#llx", (unsigned long long)va);
        size_t size = (sizes[s] + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
        volatile uint32_t *mem = (volatile uint32_t *)(uintptr_t)va;
        for (size_t i = 0; i < size / 4; i++)
            mem[i] = (uint32_t)(i * 2654435761u + s);
        for (size_t i = 0; i < size / 4; i++)
            CHECK(mem[i] == (uint32_t)(i * 2654435761u + s), "word %zu reads back wrong", i);
        CHECK_OK(sys_vmspace_unmap(si->vmspace, (uintptr_t)va));
        CHECK(sys_vmspace_unmap(si->vmspace, (uintptr_t)va) < 0, "unmapped twice");
        CHECK_OK(sys_handle_close(f));
    }
    // The library helper does the same in one call.
    struct mapped_folio mf;
    CHECK_OK(folio_map_new(5000, 1, &mf));
    CHECK(mf.size == 2 * PAGE_SIZE && mf.paddr != 0, "size %zu paddr %#llx", mf.size,
          (unsigned long long)mf.paddr);
    memset(mf.addr, 0xa5, mf.size);
    CHECK_OK(folio_unmap_free(&mf));
}

void test_folio_errors(void) {
    const struct start_info *si = app_start_info();
    CHECK_EQ(sys_folio_alloc(0), ERR_INVALID_ARG);
    CHECK_ONE_OF(sys_folio_alloc(1ull << 40), ERR_NO_MEMORY, ERR_TOO_LARGE);
    // Sizes past INT64_MAX read as negative: refusing them as invalid is fine too.
    int64_t r = sys_folio_alloc(SIZE_MAX);
    CHECK(r == ERR_NO_MEMORY || r == ERR_TOO_LARGE || r == ERR_INVALID_ARG, "SIZE_MAX: %s",
          res_name(r));
    r = sys_folio_alloc(SIZE_MAX - PAGE_SIZE + 2); // would wrap when rounded up to pages
    CHECK(r == ERR_NO_MEMORY || r == ERR_TOO_LARGE || r == ERR_INVALID_ARG, "SIZE_MAX-4094: %s",
          res_name(r));
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    handle_t f = (handle_t)CHECK_OK(sys_folio_alloc(PAGE_SIZE));
    CHECK_EQ(sys_folio_paddr(0), ERR_BAD_HANDLE);
    CHECK_EQ(sys_folio_paddr(a), ERR_WRONG_TYPE);
    CHECK_EQ(sys_vmspace_map(si->vmspace, a, PROT_READ), ERR_WRONG_TYPE);
    CHECK_EQ(sys_vmspace_map(a, f, PROT_READ), ERR_WRONG_TYPE);
    CHECK_EQ(sys_vmspace_map(NEVER_OPENED, f, PROT_READ), ERR_BAD_HANDLE);
    CHECK_EQ(sys_vmspace_map(si->vmspace, f, 1u << 7), ERR_INVALID_ARG);
    CHECK_EQ(sys_vmspace_unmap(a, 0x10000), ERR_WRONG_TYPE);
    CHECK_ONE_OF(sys_vmspace_unmap(si->vmspace, 0x1234), ERR_INVALID_ARG, ERR_NOT_FOUND);
    // Without RIGHT_MAP a folio can neither be mapped nor located.
    handle_t nomap = (handle_t)CHECK_OK(sys_handle_dup(f, RIGHT_READ | RIGHT_WRITE));
    CHECK_EQ(sys_folio_paddr(nomap), ERR_NOT_ALLOWED);
    CHECK_EQ(sys_vmspace_map(si->vmspace, nomap, PROT_READ), ERR_NOT_ALLOWED);
    CHECK_OK(sys_handle_close(nomap));
    CHECK_OK(sys_handle_close(f));
    CHECK_OK(sys_handle_close(a));
    CHECK_OK(sys_handle_close(b));
}

void test_interrupt(void) {
    CHECK_EQ(sys_interrupt_create(0), ERR_INVALID_ARG);
    CHECK_EQ(sys_interrupt_create(1u << 20), ERR_INVALID_ARG);
    CHECK_EQ(sys_interrupt_create(0xffffffffu), ERR_INVALID_ARG);
    CHECK_EQ(sys_interrupt_ack(0), ERR_BAD_HANDLE);
    CHECK_EQ(sys_interrupt_ack(NEVER_OPENED), ERR_BAD_HANDLE);
    handle_t t = (handle_t)CHECK_OK(sys_timer_create());
    CHECK_EQ(sys_interrupt_ack(t), ERR_WRONG_TYPE);
    CHECK_OK(sys_handle_close(t));
    // Only a device init gave this app may have its interrupt claimed:
    // autotest drives none, and IRQ 1 (the console's on some machines) is not its.
    CHECK_EQ(sys_interrupt_create(1), ERR_NOT_ALLOWED);
    CHECK_EQ(sys_interrupt_create(40), ERR_NOT_ALLOWED);
}

// A second thread reports through a channel, then returns (thread_exit).
static void worker(void *arg) {
    handle_t ch = (handle_t)(uintptr_t)arg;
    static const char hi[] = "from the worker";
    sys_channel_send(ch, MSGINFO(MSG_DATA, sizeof(hi), 0), hi, NULL);
}

void test_thread_spawn(void) {
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    handle_t th = (handle_t)CHECK_OK(thread_start(worker, (void *)(uintptr_t)a, 0));
    handle_t p = (handle_t)CHECK_OK(sys_poll_create());
    CHECK_OK(sys_poll_add(p, b, POLL_READABLE, 0));
    struct poll_event ev;
    CHECK_EQ(sys_poll_wait(p, &ev, 1, SOON_NS), 1);
    int64_t info = CHECK_OK(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles));
    CHECK(MSGINFO_LEN(info) == 16 && !memcmp(test_buf, "from the worker", 16), "bad message");
    CHECK_OK(sys_handle_close(th));
    CHECK_OK(sys_handle_close(p));
    CHECK_OK(sys_handle_close(a));
    CHECK_OK(sys_handle_close(b));
}

void test_thread_spawn_errors(void) {
    static uint8_t stack[256] __attribute__((aligned(16)));
    uintptr_t top = (uintptr_t)(stack + sizeof(stack));
    uintptr_t pc = (uintptr_t)worker;
    CHECK_EQ(sys_thread_spawn(0, 0, top), ERR_BAD_ADDR);
    CHECK_EQ(sys_thread_spawn((uintptr_t)BAD_PTR, 0, top), ERR_BAD_ADDR);
    CHECK_EQ(sys_thread_spawn(pc, 0, 0), ERR_BAD_ADDR);
    CHECK_EQ(sys_thread_spawn(pc, 0, (uintptr_t)BAD_PTR + 64), ERR_BAD_ADDR);
    CHECK_EQ(sys_thread_spawn(pc, 0, top - 8), ERR_BAD_ADDR); // misaligned stack
}

// Wakes the main thread from another thread: a reply to its call, then a
// message for its blocking poll_wait.
static void replier(void *arg) {
    handle_t ch = (handle_t)(uintptr_t)arg;
    static uint8_t buf[MSG_MAX_DATA];
    static handle_t hs[MSG_MAX_HANDLES];
    int64_t p = sys_poll_create();
    if (p < 0 || sys_poll_add((handle_t)p, ch, POLL_READABLE, 0) < 0)
        return;
    struct poll_event ev;
    if (sys_poll_wait((handle_t)p, &ev, 1, SOON_NS) != 1)
        return;
    int64_t info = sys_channel_recv(ch, buf, sizeof(buf), hs);
    if (info < 0)
        return;
    for (uint32_t i = 0; i < MSGINFO_LEN(info); i++)
        buf[i] ^= 0xff;
    sys_channel_send(ch, MSGINFO(MSG_KIND_PROTOCOL_BASE + 1, MSGINFO_LEN(info), 0), buf, NULL);
    sleep_ns(5 * MS); // the main thread is blocked in poll_wait by now
    sys_channel_send(ch, MSGINFO(MSG_CLOSE, 0, 0), NULL, NULL);
    sys_handle_close((handle_t)p);
}

void test_thread_wakeup(void) {
    static struct msg reply;
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    handle_t th = (handle_t)CHECK_OK(thread_start(replier, (void *)(uintptr_t)b, 0));
    static const uint8_t req[3] = {1, 2, 3};
    CHECK_OK(ch_call(a, MSG_DATA, req, sizeof(req), &reply));
    CHECK(reply.kind == MSG_KIND_PROTOCOL_BASE + 1 && reply.len == 3 && reply.data[0] == 0xfe &&
              reply.data[2] == 0xfc,
          "reply kind %#x len %u", reply.kind, reply.len);
    handle_t p = (handle_t)CHECK_OK(sys_poll_create());
    CHECK_OK(sys_poll_add(p, a, POLL_READABLE, 0));
    struct poll_event ev;
    CHECK_EQ(sys_poll_wait(p, &ev, 1, SOON_NS), 1);
    CHECK_OK(ch_recv(a, &reply));
    CHECK_EQ(reply.kind, MSG_CLOSE);
    CHECK_OK(sys_handle_close(p));
    CHECK_OK(sys_handle_close(th));
    CHECK_OK(sys_handle_close(a));
    CHECK_OK(sys_handle_close(b));
}

static volatile uint64_t spin_count;
static volatile bool spin_stop;

static void spinner(void *arg) {
    while (!spin_stop)
        spin_count++;
}

void test_thread_preemption(void) {
    spin_count = 0;
    spin_stop = false;
    handle_t th = (handle_t)CHECK_OK(thread_start(spinner, NULL, 0));
    // Both threads stay runnable: we busy-wait on the clock instead of blocking.
    int64_t until = CHECK_OK(sys_timer_now()) + 200 * MS;
    uint64_t our_loops = 0;
    while (sys_timer_now() < until && spin_count == 0)
        our_loops++;
    uint64_t seen = spin_count;
    CHECK_OK(sleep_ns(20 * MS)); // and blocking lets it run too
    uint64_t later = spin_count;
    spin_stop = true;
    CHECK(seen > 0, "the spinner never ran while we were busy");
    CHECK(later > seen, "the spinner did not run while we slept");
    // It sees the flag and exits; then we are the only thread left running.
    CHECK_OK(sleep_ns(20 * MS));
    static struct sysinfo_thread threads[64];
    int64_t n = CHECK_OK(sys_sysinfo(SYSINFO_THREADS, threads, sizeof(threads)));
    int alive = 0;
    for (size_t i = 0; i < (size_t)n / sizeof(threads[0]); i++) {
        if (!strncmp(threads[i].process, app_name(), sizeof(threads[i].process)) &&
            threads[i].state != THREAD_STATE_EXITED)
            alive++;
    }
    CHECK(alive == 1, "%d live threads in this process after the spinner exited", alive);
    CHECK_OK(sys_handle_close(th));
}

void test_sysinfo(void) {
    struct sysinfo_mem m;
    CHECK_EQ(sys_sysinfo(SYSINFO_MEM, &m, sizeof(m)), sizeof(m));
    CHECK(m.page_size == PAGE_SIZE && m.total_pages > 0 && m.free_pages <= m.total_pages,
          "mem: page %llu total %llu free %llu", (unsigned long long)m.page_size,
          (unsigned long long)m.total_pages, (unsigned long long)m.free_pages);
    static struct sysinfo_thread threads[64];
    int64_t n = CHECK_OK(sys_sysinfo(SYSINFO_THREADS, threads, sizeof(threads)));
    CHECK(n > 0 && n % sizeof(threads[0]) == 0, "threads: %lld bytes", (long long)n);
    bool me = false;
    for (size_t i = 0; i < (size_t)n / sizeof(threads[0]); i++) {
        if (!strncmp(threads[i].process, app_name(), sizeof(threads[i].process)) &&
            threads[i].state == THREAD_STATE_RUNNABLE && threads[i].mode == app_mode())
            me = true;
    }
    CHECK(me, "this thread is not listed as runnable");
    struct sysinfo_ipc ipc1, ipc2;
    CHECK_EQ(sys_sysinfo(SYSINFO_IPC, &ipc1, sizeof(ipc1)), sizeof(ipc1));
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    CHECK_OK(send_bytes(a, 1, 1));
    CHECK_OK(sys_channel_recv(b, test_buf, sizeof(test_buf), test_handles));
    CHECK_EQ(sys_sysinfo(SYSINFO_IPC, &ipc2, sizeof(ipc2)), sizeof(ipc2));
    CHECK(ipc2.messages_sent > ipc1.messages_sent &&
              ipc2.messages_received > ipc1.messages_received && ipc2.syscalls > ipc1.syscalls,
          "ipc counters did not move");
    CHECK_OK(sys_handle_close(a));
    CHECK_OK(sys_handle_close(b));
    CHECK_EQ(sys_sysinfo(0, &m, sizeof(m)), ERR_INVALID_ARG);
    CHECK_EQ(sys_sysinfo(99, &m, sizeof(m)), ERR_INVALID_ARG);
    CHECK_EQ(sys_sysinfo(SYSINFO_MEM, &m, 1), ERR_TOO_SMALL);
    CHECK_EQ(sys_sysinfo(SYSINFO_MEM, NULL, sizeof(m)), ERR_BAD_ADDR);
    CHECK_EQ(sys_sysinfo(SYSINFO_MEM, BAD_PTR, sizeof(m)), ERR_BAD_ADDR);
    // CPU time: idle is part of uptime, and grows while every thread sleeps
    // (this one waits for a timer; the others of the test system are idle).
    struct sysinfo_cpu c1, c2;
    CHECK_EQ(sys_sysinfo(SYSINFO_CPU, &c1, sizeof(c1)), sizeof(c1));
    CHECK(sleep_ns(2 * MS) == 0, "sleep failed");
    CHECK_EQ(sys_sysinfo(SYSINFO_CPU, &c2, sizeof(c2)), sizeof(c2));
    CHECK(c1.idle_ns <= c1.uptime_ns && c2.idle_ns <= c2.uptime_ns && c2.uptime_ns > c1.uptime_ns,
          "cpu: uptime %llu then %llu, idle %llu then %llu", (unsigned long long)c1.uptime_ns,
          (unsigned long long)c2.uptime_ns, (unsigned long long)c1.idle_ns,
          (unsigned long long)c2.idle_ns);
    CHECK(c2.idle_ns > c1.idle_ns, "idle time did not grow while sleeping");
    CHECK(c1.cpus >= 1 && c1.cpus_running == 1, "cpus %u, running %u", c1.cpus, c1.cpus_running);
    CHECK_EQ(sys_sysinfo(SYSINFO_CPU, &c1, sizeof(c1) - 1), ERR_TOO_SMALL);
    CHECK_EQ(sys_sysinfo(SYSINFO_CPU, BAD_PTR, sizeof(c1)), ERR_BAD_ADDR);
}

void test_console_read(void) {
    char c[8];
    handle_t a, b;
    CHECK_OK(new_channel(&a, &b));
    CHECK_EQ(sys_console_read(a, c, sizeof(c)), ERR_WRONG_TYPE);
    CHECK_EQ(sys_console_read(0, c, sizeof(c)), ERR_BAD_HANDLE);
    CHECK_EQ(sys_console_read(NEVER_OPENED, c, sizeof(c)), ERR_BAD_HANDLE);
    CHECK_OK(sys_handle_close(a));
    CHECK_OK(sys_handle_close(b));
}
