// SPDX-License-Identifier: MIT
// sysfuzz's shared declarations: the PRNG, the model of the app's own kernel objects and the argument pools.
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <stellina/stellina.h>

// ---- PRNG (gen.c): splitmix64, so a seed replays a run exactly ----------------
void rng_seed(uint64_t seed);
uint64_t rng_next(void);
uint64_t rng_below(uint64_t n); // uniform in [0, n); n > 0
bool rng_pct(unsigned percent); // true with that probability

// ---- failures (main.c) --------------------------------------------------------
// Records a broken invariant of the running test (the first one wins) and
// prints it with the last calls made, so a run can be replayed by hand.
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool fuzz_failed(void);
// Remembers a call for the failure report (a ring of the last few).
void trace_call(int64_t nr, const int64_t a[5], int64_t ret);
void trace_dump(void);
uint64_t trace_count(void); // calls made so far (the number trace_dump shows)
const void *trace_ring(size_t *size); // the ring in .bss that recording a call rewrites

// ---- the model (model.c) ------------------------------------------------------
// What the kernel should hold for this process: every handle the fuzzer
// opened, the objects behind them, message queues of its channels, poll
// entries and folio mappings. Handles open before the run (environment,
// vmspace, heap, scratch) are "protected": never closed, sent or unmapped.
enum otype { OT_NONE, OT_CHANNEL, OT_POLL, OT_TIMER, OT_FOLIO, OT_THREAD, OT_INTR, OT_VMSPACE,
             OT_FOREIGN };
#define HMAX 192    // the model follows handle numbers 1..HMAX-1
#define LIVE_MAX 40 // the fuzzer keeps at most this many handles of its own
#define OBJ_MAX 256
#define MSG_POOL 512
#define POLL_ENTRIES 32
#define MAP_MAX 8
#define QUEUE_MAX 64 // CHANNEL_QUEUE_MAX of the kernel (docs: backpressure after 64)

struct mobj {
    uint8_t type; // OT_*, OT_NONE: free slot
    int refs;     // handles + queued messages + mappings that name it
    int peer;     // channel: the other end, -1 once it is gone
    int qhead, qtail, qlen; // channel: messages waiting at this end
    int npoll;    // poll: entries
    handle_t ph[POLL_ENTRIES];
    uint32_t pint[POLL_ENTRIES];
    uint64_t pcookie[POLL_ENTRIES];
    uint64_t size; // folio: bytes (page multiple)
};
struct mmsg {
    int next; // next message in the queue, -1 at the end; free list when unused
    msginfo_t info;
    int obj[MSG_MAX_HANDLES];
    uint32_t rights[MSG_MAX_HANDLES];
    uint32_t sum; // checksum of the data
    // Where the data came from, for a failure report.
    uint64_t src, call;
    const char *src_what;
};
struct mhandle {
    int obj; // -1: not open
    uint32_t rights;
    bool prot; // open before the run: never passed to calls that could change it
};
struct mmap {
    uint64_t va; // 0: free
    uint64_t len;
    int obj;
    uint32_t prot;
};
extern struct mobj objs[OBJ_MAX];
extern struct mmsg msgs[MSG_POOL];
extern struct mhandle handles[HMAX];
extern struct mmap maps[MAP_MAX];
extern handle_t vmspace_h;

void model_init(void);      // marks every handle open now as protected
int model_live(void);       // handles the fuzzer owns
int model_free_msgs(void);  // unused message slots
bool model_is_open(handle_t h);
int model_type(handle_t h); // OT_* of an open handle, OT_NONE if closed or out of range
int model_new_obj(int type);
void model_install(handle_t h, int obj, uint32_t rights); // a new handle from the kernel
void model_close(handle_t h);                             // the handle left the table
void model_unref(int obj);
// A successful send from channel object `from` of info with handles hs
// (moved); returns the model's message slot (-1 if the model is broken).
int model_send(int from, msginfo_t info, const handle_t *hs, uint32_t sum);
// The message a successful receive on channel object `ch` returns (removed from the queue).
int model_recv_pop(int ch);
void model_msg_free(int m);
// Readiness the kernel should report now for an open handle (timers: unknown, -1).
int model_readiness(handle_t h);
int model_map_add(uint64_t va, uint64_t len, int obj, uint32_t prot);
struct mmap *model_map_find(uint64_t va);
// Compares the model with the kernel's table (every number below HMAX); false on a mismatch.
bool model_check_table(void);
// A handle number of the fuzzer's own (any type, `type` preferred when >0), or 0.
handle_t model_pick(int type);
handle_t model_pick_closed(void); // a number the model says is not open

// ---- memory the kernel may legally write (gen.c) ------------------------------
#define SCRATCH_SIZE (64 * 1024)
extern uint8_t *scratch;       // a mapped folio followed by a guard page
extern uint8_t *heap_block;    // malloc'd before the run
#define HEAP_BLOCK 4096
#define STACK_BUF 512
extern uint8_t *thread_stacks; // a mapped folio: one 4 KiB stack per spawn
#define THREAD_STACKS 8

// A pointer argument and what is known about it.
enum pvalid { PV_NO, PV_YES, PV_MAYBE };
struct ptr {
    uint64_t addr;
    const char *what;
    // Bytes from addr that are certainly the app's (0: none), for reading and
    // for writing, and whether bytes past that are certainly not its own.
    uint64_t room_r, room_w;
    bool end_known;
};
// Picks a pointer; stack_buf is the caller's STACK_BUF-byte local array.
struct ptr gen_ptr(uint8_t *stack_buf);
// Whether the kernel must accept [p, p+len) for reading/writing (PV_MAYBE: either answer is right).
enum pvalid ptr_ok(const struct ptr *p, uint64_t len, bool write);
// A length for p: 0, 1, page sizes, huge, and (for writes) never more than
// the room it certainly has unless that room is bounded by unmapped memory.
uint64_t gen_len(const struct ptr *p, bool write, uint64_t typical);
int64_t gen_value(void);            // interesting or random 64-bit values
int64_t gen_handle(int prefer_type); // own handles of any type, closed, bogus, aliased
msginfo_t gen_msginfo(void);
uint32_t data_sum(const void *p, uint64_t len);
void gen_init(bool in_kernel);

// ---- the fuzzer (fuzz.c, fuzz_ops.c) ------------------------------------------
struct fuzz_stats {
    uint64_t calls, ok, errs, bad_numbers;
};
// Runs `iters` hostile calls; returns false once an invariant broke.
bool fuzz_run(uint64_t seed, uint64_t iters, bool in_kernel, struct fuzz_stats *st);
// Closes every handle the fuzzer owns and unmaps its mappings.
void fuzz_cleanup(void);
// One typed call of syscall nr with generated arguments, checked and applied to the model.
void fuzz_op(int nr);
extern bool fuzz_in_kernel;

// ---- deterministic reproducers of kernel bugs found (repro.c) ----------------
typedef const char *(*repro_fn)(void); // NULL: pass, else why it failed
struct repro {
    const char *name;
    repro_fn fn;
};
extern const struct repro repros[];
extern const int num_repros;
uint64_t heap_bytes(void);
uint64_t free_pages(void);
// Sleeps at least ms milliseconds (main.c); 0 or an ERR_*.
int sleep_ms(int ms);
// The handoff run (handoff.c): hostile calls against a thread waiting in
// channel_call. NULL if every result was possible and all memory came back.
const char *fuzz_handoff(uint64_t seed);
bool handle_open(handle_t h);

// ---- calling and judging (fuzz.c) --------------------------------------------
// Expected outcomes as a mask: bit 0 success, bit -e the error e.
#define X_OK 1u
#define X(e) (1u << (-(e)))
// Makes the call, records it and checks the result is >= 0 or a known ERR_*.
int64_t fz_call(int64_t nr, int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4);
// channel_send as fz_call makes it; on success *sum is data_sum of the data
// as the kernel read it, taken before the fuzzer writes any memory of its own.
int64_t fz_send(int64_t h, msginfo_t info, const void *data, const void *hp, uint32_t *sum);
// The result must be one the mask allows; returns whether it was.
bool fz_want(const char *call, int64_t ret, uint32_t mask);
// Masks of the usual handle lookup: the handle h for an object of type `type` with `rights`.
uint32_t want_handle(int64_t h, int type, uint32_t rights);
// Channel operations (fuzz_chan.c).
void op_channel_create(uint8_t *stack_buf);
void op_channel_send(uint8_t *stack_buf, bool as_call);
void op_channel_recv(uint8_t *stack_buf);
void op_thread_spawn(void);
uint64_t threads_ran(void);     // how many spawned threads have run (kept in thread_stacks)
void threads_ran_reset(void);   // once thread_stacks is mapped
extern int threads_spawned;
