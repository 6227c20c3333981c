// SPDX-License-Identifier: MIT
// Host tests of the trap handlers' shared frame-pointer walk and fault flows (kernel/core/trapdump.c).
// UNIT_SOURCES: kernel/core/trapdump.c
#include "harness.h"
#include <string.h>
#include <unistd.h>
#include "trapdump.h"

// A fake stack: frame records are built in `stack`; only it is "readable".
static uint64_t stack[64];
static int readable_calls;

static bool stack_readable(vaddr_t va) {
    readable_calls++;
    return va >= (vaddr_t)stack && va + 8 <= (vaddr_t)(stack + ARRAY_SIZE(stack));
}

// Runs fn with stderr (where the host kprintf writes) captured into out.
static void capture(void (*fn)(void), char *out, size_t size) {
    fflush(stderr);
    FILE *tmp = tmpfile();
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    fn();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = fread(out, 1, size - 1, tmp);
    out[n] = '\0';
    fclose(tmp);
}

// Records at fp + offset: {prev fp, return address}; three frames going up.
static uint64_t build_chain(int64_t offset) {
    memset(stack, 0, sizeof(stack));
    uint64_t fps[3] = {(uint64_t)&stack[8], (uint64_t)&stack[20], (uint64_t)&stack[40]};
    for (int i = 0; i < 3; i++) {
        uint64_t *rec = (uint64_t *)(fps[i] + (uint64_t)offset);
        rec[0] = i < 2 ? fps[i + 1] : 0;
        rec[1] = 0x1000 + (uint64_t)i;
    }
    return fps[0];
}

static uint64_t walk_fp;
static int64_t walk_offset;
static void walk(void) {
    trapdump_backtrace(walk_fp, 1, walk_offset, stack_readable);
}

TEST(walks_records_above_and_below_fp) {
    static const int64_t offsets[] = {0, -16};
    for (size_t k = 0; k < ARRAY_SIZE(offsets); k++) {
        char out[512];
        walk_offset = offsets[k];
        walk_fp = build_chain(walk_offset);
        capture(walk, out, sizeof(out));
        EXPECT_STREQ(out, "  #1 0x0000000000001000\n  #2 0x0000000000001001\n"
                          "  #3 0x0000000000001002\n");
    }
}

TEST(stops_at_unreadable_misaligned_zero_or_downward_frames) {
    char out[512];
    walk_offset = 0;
    walk_fp = build_chain(0);
    stack[21] = 0; // the second record's return address
    capture(walk, out, sizeof(out));
    EXPECT_STREQ(out, "  #1 0x0000000000001000\n");

    walk_fp = build_chain(0);
    stack[8] = (uint64_t)&stack[4]; // the chain goes down the stack
    capture(walk, out, sizeof(out));
    EXPECT_STREQ(out, "  #1 0x0000000000001000\n");

    walk_fp = (uint64_t)&stack[8] + 4; // misaligned
    readable_calls = 0;
    capture(walk, out, sizeof(out));
    EXPECT_STREQ(out, "");
    EXPECT_EQ(readable_calls, 0);

    walk_fp = 0x10; // unreadable
    capture(walk, out, sizeof(out));
    EXPECT_STREQ(out, "");

    walk_offset = -16; // would wrap below 0: not even asked about
    walk_fp = 8;
    readable_calls = 0;
    capture(walk, out, sizeof(out));
    EXPECT_STREQ(out, "");
    EXPECT_EQ(readable_calls, 0);
}

TEST(stops_after_the_maximum_depth) {
    // 40 records, each one word above the last: record i is {&stack[i + 1],
    // &stack[i + 2]}, a nonzero "return address" every time.
    memset(stack, 0, sizeof(stack));
    for (int i = 0; i < 41; i++)
        stack[i] = (uint64_t)&stack[i + 1];
    char out[4096];
    walk_offset = 0;
    walk_fp = (uint64_t)&stack[0];
    capture(walk, out, sizeof(out));
    int lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    EXPECT_EQ(lines, TRAPDUMP_BACKTRACE_MAX - 1);
}

// ---- the fault flows, with core's fault_handle faked ------------------------

static int handled_user, handled_kernel, dumped;
static vaddr_t handled_pc, handled_addr;

void fault_handle(bool from_user, vaddr_t pc, vaddr_t addr, const char *desc) {
    (void)desc;
    handled_pc = pc;
    handled_addr = addr;
    if (from_user) {
        handled_user++;
        return; // the real one never returns: trapdump must notice
    }
    handled_kernel++;
    panic("%s in kernel mode", desc);
}

static void fake_dump(const void *frame) {
    EXPECT_EQ(*(const int *)frame, 42);
    dumped++;
}

static void kernel_fault(void) {
    static const int frame = 42;
    EXPECT_PANIC(trapdump_kernel_fault("load page fault", "rip", 0x1234, 0x10, fake_dump, &frame));
}

TEST(kernel_fault_prints_dumps_then_panics_in_core) {
    char out[512];
    capture(kernel_fault, out, sizeof(out));
    EXPECT_STREQ(out, "\n*** kernel fault: load page fault at rip 0x1234, address 0x10\n");
    EXPECT_EQ(dumped, 1);
    EXPECT_EQ(handled_kernel, 1);
    EXPECT_EQ(handled_pc, 0x1234);
    EXPECT_EQ(handled_addr, 0x10);
}

TEST(user_fault_goes_to_core_and_panics_if_it_comes_back) {
    EXPECT_PANIC(trapdump_user_fault(0x400000, 0x8, "store page fault"));
    EXPECT_EQ(handled_user, 1);
    EXPECT_EQ(handled_pc, 0x400000);
    EXPECT_EQ(handled_addr, 0x8);
    EXPECT_STREQ(host_panic_message, "host: fault_handle returned for a user fault");
}
