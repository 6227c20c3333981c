// SPDX-License-Identifier: MIT
// Host tests of the handle table (kernel/core/handle.c), over a fake page allocator region.
// UNIT_SOURCES: kernel/core/handle.c kernel/core/kmalloc.c kernel/core/page.c
// UNIT_SOURCES: kernel/arch/host/fake_kobj.c
#include "harness.h"
#include "channel.h"
#include "handle.h"
#include "kmalloc.h"
#include "page.h"

#define REGION_PAGES 1024

static void *region;

// A fresh 4 MiB "RAM" for each test, so kmalloc works.
static void setup(void) {
    if (region == NULL)
        region = aligned_alloc(PAGE_SIZE, REGION_PAGES * PAGE_SIZE);
    struct boot_info bi = {.num_mem = 1};
    bi.mem[0].base = (paddr_t)(uintptr_t)region;
    bi.mem[0].size = REGION_PAGES * PAGE_SIZE;
    page_init(&bi);
    host_kobj_destroyed = 0;
}

// Objects come from a static pool: the fake kobj_release frees nothing.
static struct kobj *new_obj(enum kobj_type type) {
    static struct kobj pool[64];
    static size_t next;
    struct kobj *o = &pool[next++ % 64];
    kobj_init(o, type);
    return o;
}

TEST(install_and_get) {
    setup();
    struct handle_table t;
    handle_table_init(&t);
    struct kobj *ch = new_obj(KOBJ_CHANNEL);
    handle_t h = handle_install(&t, ch, RIGHT_READ | RIGHT_WRITE);
    EXPECT_EQ(h, 1);
    struct handle_entry *e = NULL;
    EXPECT_EQ(handle_get(&t, h, KOBJ_CHANNEL, RIGHT_READ, &e), 0);
    EXPECT_TRUE(e != NULL && e->obj == ch);
    EXPECT_EQ(handle_get(&t, h, 0, RIGHT_READ | RIGHT_WRITE, &e), 0);
    EXPECT_EQ(handle_get(&t, h, KOBJ_POLL, RIGHT_READ, &e), ERR_WRONG_TYPE);
    EXPECT_EQ(handle_get(&t, h, KOBJ_CHANNEL, RIGHT_DUP, &e), ERR_NOT_ALLOWED);
    EXPECT_EQ(handle_get(&t, 0, 0, 0, &e), ERR_BAD_HANDLE);
    EXPECT_EQ(handle_get(&t, -1, 0, 0, &e), ERR_BAD_HANDLE);
    EXPECT_EQ(handle_get(&t, 2, 0, 0, &e), ERR_BAD_HANDLE);
    EXPECT_EQ(handle_get(&t, 1000000, 0, 0, &e), ERR_BAD_HANDLE);
    handle_table_destroy(&t);
    EXPECT_EQ(host_kobj_destroyed, 1);
}

TEST(remove_and_reuse_lowest) {
    setup();
    struct handle_table t;
    handle_table_init(&t);
    struct kobj *objs[5];
    for (int i = 0; i < 5; i++) {
        objs[i] = new_obj(KOBJ_TIMER);
        EXPECT_EQ(handle_install(&t, objs[i], RIGHT_ALL), i + 1);
    }
    EXPECT_TRUE(handle_remove(&t, 2) == objs[1]);
    EXPECT_TRUE(handle_remove(&t, 4) == objs[3]);
    EXPECT_TRUE(handle_remove(&t, 4) == NULL); // already closed
    EXPECT_TRUE(handle_remove(&t, 0) == NULL);
    EXPECT_TRUE(handle_remove(&t, 99) == NULL);
    struct handle_entry *e;
    EXPECT_EQ(handle_get(&t, 2, 0, 0, &e), ERR_BAD_HANDLE);
    EXPECT_EQ(t.used, 3);
    // The lowest free slot comes back first.
    EXPECT_EQ(handle_install(&t, objs[3], RIGHT_READ), 2);
    EXPECT_EQ(handle_install(&t, objs[1], RIGHT_READ), 4);
    EXPECT_EQ(handle_install(&t, new_obj(KOBJ_TIMER), RIGHT_READ), 6);
    EXPECT_EQ(handle_get(&t, 2, 0, RIGHT_READ, &e), 0);
    EXPECT_TRUE(e->obj == objs[3]);
    EXPECT_EQ(handle_get(&t, 2, 0, RIGHT_WRITE, &e), ERR_NOT_ALLOWED);
    handle_table_destroy(&t);
    EXPECT_EQ(host_kobj_destroyed, 6);
    EXPECT_EQ(t.used, 0);
    EXPECT_EQ(t.capacity, 0);
}

// The handle channel_call_fast remembers (call_hit) is forgotten when that
// handle is removed, and only then; a fresh or emptied table names the
// unconnected channel, which no call can use.
TEST(call_hit_forgotten_on_remove) {
    setup();
    struct handle_table t;
    handle_table_init(&t);
    EXPECT_EQ(t.call_hit, 0);
    EXPECT_TRUE(t.call_hit_obj == &channel_unconnected.obj);
    struct kobj *a = new_obj(KOBJ_CHANNEL), *b = new_obj(KOBJ_CHANNEL);
    EXPECT_EQ(handle_install(&t, a, RIGHT_ALL), 1);
    EXPECT_EQ(handle_install(&t, b, RIGHT_ALL), 2);
    t.call_hit = 2; // as channel_call_fast records a lookup
    t.call_hit_obj = b;
    EXPECT_TRUE(handle_remove(&t, 1) == a);
    EXPECT_EQ(t.call_hit, 2);
    EXPECT_TRUE(handle_remove(&t, 2) == b);
    EXPECT_EQ(t.call_hit, 0);
    EXPECT_TRUE(t.call_hit_obj == &channel_unconnected.obj);
    EXPECT_EQ(handle_install(&t, a, RIGHT_ALL), 1);
    t.call_hit = 1;
    t.call_hit_obj = a;
    handle_table_destroy(&t);
    EXPECT_EQ(t.call_hit, 0);
    EXPECT_TRUE(t.call_hit_obj == &channel_unconnected.obj);
}

TEST(grows_past_thousands) {
    setup();
    size_t free_before = page_free_count();
    struct handle_table t;
    handle_table_init(&t);
    enum { N = 5000 };
    static struct kobj objs[N];
    for (int i = 0; i < N; i++) {
        kobj_init(&objs[i], KOBJ_CHANNEL);
        handle_t h = handle_install(&t, &objs[i], RIGHT_READ);
        if (h != i + 1) {
            EXPECT_EQ(h, i + 1);
            break;
        }
    }
    EXPECT_EQ(t.used, N);
    EXPECT_GE(t.capacity, N);
    struct handle_entry *e;
    EXPECT_EQ(handle_get(&t, 4321, KOBJ_CHANNEL, RIGHT_READ, &e), 0);
    EXPECT_TRUE(e->obj == &objs[4320]);
    handle_table_destroy(&t);
    EXPECT_EQ(host_kobj_destroyed, N);
    EXPECT_EQ(page_free_count(), free_before); // the grown array went back
    EXPECT_EQ(kmalloc_bytes_used(), 0);
}

TEST(reserve_then_install_never_fails) {
    setup();
    struct handle_table t;
    handle_table_init(&t);
    static struct kobj objs[40];
    EXPECT_EQ(handle_reserve(&t, 40), 0);
    EXPECT_GE(t.capacity, 40);
    // Take all the remaining memory away: installs must not need any.
    size_t hoard = 0;
    static paddr_t taken[REGION_PAGES];
    for (paddr_t pa; (pa = page_alloc(1)) != 0;)
        taken[hoard++] = pa;
    EXPECT_EQ(page_free_count(), 0);
    for (int i = 0; i < 40; i++) {
        kobj_init(&objs[i], KOBJ_POLL);
        EXPECT_EQ(handle_install(&t, &objs[i], RIGHT_READ), i + 1);
    }
    // Without a reservation, growth fails cleanly and the reference stays the caller's.
    static struct kobj extra[200];
    handle_t h = 0;
    int i = 0;
    for (; i < 200 && h >= 0; i++) {
        kobj_init(&extra[i], KOBJ_POLL);
        h = handle_install(&t, &extra[i], RIGHT_READ);
    }
    EXPECT_EQ(h, ERR_NO_MEMORY);
    EXPECT_EQ(extra[i - 1].refcount, 1);
    EXPECT_EQ(handle_reserve(&t, 1000), ERR_NO_MEMORY);
    while (hoard > 0)
        page_free(taken[--hoard], 1);
    handle_table_destroy(&t);
}

TEST(limit_is_enforced) {
    setup();
    struct handle_table t;
    handle_table_init(&t);
    EXPECT_EQ(handle_reserve(&t, HANDLE_TABLE_MAX + 1), ERR_TOO_LARGE);
    EXPECT_EQ(t.capacity, 0);
    EXPECT_EQ(handle_reserve(&t, 0), 0);
    handle_table_destroy(&t);
}

TEST(destroy_empty_table) {
    setup();
    struct handle_table t;
    handle_table_init(&t);
    handle_table_destroy(&t);
    EXPECT_EQ(host_kobj_destroyed, 0);
    EXPECT_EQ(kmalloc_bytes_used(), 0);
}
