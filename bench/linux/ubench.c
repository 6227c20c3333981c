// SPDX-License-Identifier: MIT
// Linux micro benchmarks for the baseline guest: getppid, pipe and unix socketpair round trips.
//
// Built with `gcc -static -O2` by bench/linux/build.py and run by the guest's init.
// Usage: `ubench ITERATIONS` runs every workload; `ubench --now KEY` prints
// "BENCH KEY <ns>", the guest's CLOCK_BOOTTIME (the init uses it to stamp
// boot milestones with instruction precision); `ubench --busy KEY` the part
// of the uptime the CPU was not idle. Prints one line per figure, "BENCH <key> <value>",
// where the value is guest nanoseconds per operation from
// clock_gettime(CLOCK_MONOTONIC); under QEMU's -icount shift=0 one guest
// nanosecond is one guest instruction, so the value is an instruction count.
// A workload that fails prints "BENCH <key> failed <why>" and the rest go on.
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long iterations;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void report(const char *key, uint64_t start, uint64_t end) {
    // Rounded to the nearest instruction; the loop's own cost is a handful of
    // instructions per iteration and is left in (as it is on Stellina).
    printf("BENCH %s %llu\n", key,
           (unsigned long long)((end - start + (uint64_t)iterations / 2) / (uint64_t)iterations));
    fflush(stdout);
}

static void failed(const char *key, const char *what) {
    printf("BENCH %s failed %s: %s\n", key, what, strerror(errno));
    fflush(stdout);
}

static void bench_getppid(void) {
    uint64_t t0 = now_ns();
    for (long i = 0; i < iterations; i++)
        (void)getppid();
    report("null_syscall_insns_user", t0, now_ns());
}

// Reads exactly len bytes; returns 0, or -1 on error or end of file.
static int read_full(int fd, char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = read(fd, buf, len);
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

// One round trip = the parent writes len bytes to `to`, the child reads them
// from `peer_in` and writes them back on `peer_out`, the parent reads them
// from `from`. to/from may be the same fd (socketpair) or two pipes.
static void bench_rtt(const char *key, size_t len, int to, int from, int peer_in, int peer_out,
                      int close_a, int close_b) {
    static char buf[4096];
    memset(buf, 'x', sizeof(buf));
    pid_t pid = fork();
    if (pid < 0) {
        failed(key, "fork");
        return;
    }
    if (pid == 0) {
        close(close_a);
        if (close_b != close_a)
            close(close_b);
        for (long i = 0; i < iterations + 1; i++) {
            if (read_full(peer_in, buf, len) < 0 || write(peer_out, buf, len) != (ssize_t)len)
                _exit(1);
        }
        _exit(0);
    }
    int ok = 1;
    // One untimed round trip so both sides are scheduled in and warm.
    if (write(to, buf, len) != (ssize_t)len || read_full(from, buf, len) < 0)
        ok = 0;
    uint64_t t0 = now_ns();
    for (long i = 0; ok && i < iterations; i++) {
        if (write(to, buf, len) != (ssize_t)len || read_full(from, buf, len) < 0)
            ok = 0;
    }
    uint64_t t1 = now_ns();
    int status = 0;
    waitpid(pid, &status, 0);
    if (ok && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        report(key, t0, t1);
    else
        failed(key, "round trip");
}

static void bench_pipe(const char *key, size_t len) {
    int down[2], up[2];
    if (pipe(down) < 0 || pipe(up) < 0) {
        failed(key, "pipe");
        return;
    }
    // The parent writes down[1] and reads up[0]; the child the other ends.
    bench_rtt(key, len, down[1], up[0], down[0], up[1], down[1], up[0]);
    close(down[0]);
    close(down[1]);
    close(up[0]);
    close(up[1]);
}

static void bench_unix(const char *key, size_t len) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        failed(key, "socketpair");
        return;
    }
    bench_rtt(key, len, sv[0], sv[0], sv[1], sv[1], sv[0], sv[0]);
    close(sv[0]);
    close(sv[1]);
}

// Prints "BENCH <key> <ns>": the guest's uptime minus its idle time, from
// /proc/uptime (10 ms resolution; one CPU). Under -icount, sleep=off idle time
// skips ahead, so only the time the CPU was busy counts instructions.
static int print_busy(const char *key) {
    double up, idle;
    FILE *f = fopen("/proc/uptime", "r");
    if (!f || fscanf(f, "%lf %lf", &up, &idle) != 2) {
        printf("BENCH %s failed /proc/uptime\n", key);
        return 1;
    }
    fclose(f);
    printf("BENCH %s %llu\n", key, (unsigned long long)((up - idle) * 1e9));
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 2 && strcmp(argv[1], "--busy") == 0)
        return print_busy(argv[2]);
    if (argc > 2 && strcmp(argv[1], "--now") == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_BOOTTIME, &ts);
        printf("BENCH %s %llu\n", argv[2],
               (unsigned long long)ts.tv_sec * 1000000000u + (unsigned long long)ts.tv_nsec);
        return 0;
    }
    iterations = argc > 1 ? atol(argv[1]) : 10000;
    if (iterations < 1)
        iterations = 1;
    printf("BENCH iterations %ld\n", iterations);
    bench_getppid();
    bench_pipe("ipc_rtt_8b_insns_pipe", 8);
    bench_pipe("ipc_rtt_1k_insns_pipe", 1024);
    bench_unix("ipc_rtt_8b_insns_unix", 8);
    bench_unix("ipc_rtt_1k_insns_unix", 1024);
    return 0;
}
