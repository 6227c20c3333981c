// SPDX-License-Identifier: MIT
// An interactive shell on the serial console: line editing plus a few commands that show system state.
#include <apps/shell/env.h>
#include <protocols/echo.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define LINE_MAX    128
#define PROMPT      "stellina> "
#define MAX_THREADS 64
#define LOG_MAX     (64 * 1024)

static char line[LINE_MAX];
static size_t line_len;
static bool last_was_cr; // a CR LF pair ends one line, not two
static const struct shell_env *env;

static void cmd_help(void) {
    puts("commands:\n"
         "  help    this list\n"
         "  ps      processes and threads\n"
         "  mem     physical memory and kernel heap\n"
         "  uptime  time since boot, how much of it idle\n"
         "  log     the kernel log\n"
         "  echo T  send T to the echo server and print its answer\n"
         "  kill I  end instance I (init restarts it if its policy says so)");
}

static const char *thread_state_name(uint32_t state) {
    switch (state) {
    case THREAD_STATE_RUNNABLE:
        return "runnable";
    case THREAD_STATE_BLOCKED:
        return "blocked";
    case THREAD_STATE_EXITED:
        return "exited";
    default:
        return "?";
    }
}

static void cmd_ps(void) {
    static struct sysinfo_thread threads[MAX_THREADS];
    int64_t n = sys_sysinfo(SYSINFO_THREADS, threads, sizeof(threads));
    if (n < 0) {
        printf("ps: %s\n", err_name(n));
        return;
    }
    printf("%5s %5s %-9s %-9s %10s  %s\n", "PID", "TID", "STATE", "MODE", "CPU(ms)", "PROCESS");
    for (size_t i = 0; i < (size_t)n / sizeof(threads[0]); i++) {
        struct sysinfo_thread *t = &threads[i];
        t->process[sizeof(t->process) - 1] = '\0'; // never trust a NUL we did not write
        printf("%5u %5u %-9s %-9s %10llu  %s\n", t->pid, t->tid, thread_state_name(t->state),
               app_mode_name(t->mode), (unsigned long long)(t->cpu_ns / 1000000), t->process);
    }
}

static void cmd_mem(void) {
    struct sysinfo_mem m;
    int64_t n = sys_sysinfo(SYSINFO_MEM, &m, sizeof(m));
    if (n < (int64_t)sizeof(m)) {
        printf("mem: %s\n", n < 0 ? err_name(n) : "short record");
        return;
    }
    uint64_t used = m.total_pages - m.free_pages;
    uint64_t kib = m.page_size / 1024;
    printf("pages: %llu total, %llu free, %llu used (page %llu bytes)\n",
           (unsigned long long)m.total_pages, (unsigned long long)m.free_pages,
           (unsigned long long)used, (unsigned long long)m.page_size);
    printf("memory: %llu KiB total, %llu KiB free, %llu KiB used\n",
           (unsigned long long)(m.total_pages * kib), (unsigned long long)(m.free_pages * kib),
           (unsigned long long)(used * kib));
    printf("kernel heap: %llu bytes used\n", (unsigned long long)m.heap_bytes_used);
}

static void cmd_uptime(void) {
    struct sysinfo_cpu c;
    int64_t r = sys_sysinfo(SYSINFO_CPU, &c, sizeof(c));
    if (r < 0) {
        printf("uptime: %s\n", err_name(r));
        return;
    }
    uint64_t ms = c.uptime_ns / 1000000;
    uint64_t idle_pct = c.uptime_ns ? c.idle_ns * 100 / c.uptime_ns : 0;
    printf("up %llu.%03llu s, %llu%% idle, %u of %u CPUs running\n", (unsigned long long)(ms / 1000),
           (unsigned long long)(ms % 1000), (unsigned long long)idle_pct, c.cpus_running, c.cpus);
}

static void cmd_log(void) {
    // Read the whole ring before printing: what we print lands in the log
    // too, and reading while writing would chase our own output forever.
    // One read from offset 0: the kernel starts at the oldest byte it still
    // has, and later offsets would be ambiguous once the ring has wrapped.
    char *buf = malloc(LOG_MAX);
    if (!buf) {
        puts("log: out of memory");
        return;
    }
    int64_t n = sys_log_read(buf, LOG_MAX, 0);
    if (n < 0)
        printf("log: %s\n", err_name(n));
    for (int64_t off = 0; off < n; off += 1024)
        write_out(buf + off, n - off > 1024 ? 1024 : (size_t)(n - off));
    free(buf);
}

// Round trip through the echo server with the generated echo protocol stub.
static void cmd_echo(const char *text) {
    static struct echo_ping ping;
    static struct echo_pong pong;
    if (env->echo <= 0) {
        puts("echo: no echo server in this system");
        return;
    }
    size_t len = strlen(text);
    ping.data_len = (uint16_t)len; // a line is far shorter than a ping's 4094 bytes
    memcpy(ping.data, text, len);
    int r = echo_ping_call(env->echo, &ping, &pong);
    if (r < 0)
        printf("echo: %s\n", err_name(r));
    else
        printf("%.*s\n", (int)pong.data_len, (const char *)pong.data);
}

// Asks init to end an instance (its restart policy then applies). Init
// grants this only to the instance holding the console: the operator's.
static void cmd_kill(const char *name) {
    static struct msg reply;
    char uri[64];
    int n = snprintf(uri, sizeof(uri), "kill:%s", name);
    if (n <= 5 || (size_t)n >= sizeof(uri)) {
        puts("usage: kill <instance>");
        return;
    }
    int r = ch_call(env->init, MSG_OPEN, uri, (size_t)n, &reply);
    if (r == 0 && reply.kind == MSG_ERROR)
        r = msg_error_code(&reply);
    else if (r == 0 && reply.kind != MSG_OPEN_REPLY)
        r = ERR_UNEXPECTED;
    msg_close_handles(&reply);
    if (r < 0)
        printf("kill: %s: %s\n", name, err_name(r));
    else
        printf("killed %s\n", name);
}

static void run_command(char *cmd) {
    while (*cmd == ' ' || *cmd == '\t')
        cmd++;
    size_t n = strlen(cmd);
    while (n > 0 && (cmd[n - 1] == ' ' || cmd[n - 1] == '\t'))
        cmd[--n] = '\0';
    if (n == 0)
        return;
    if (!strcmp(cmd, "help"))
        cmd_help();
    else if (!strcmp(cmd, "ps"))
        cmd_ps();
    else if (!strcmp(cmd, "mem"))
        cmd_mem();
    else if (!strcmp(cmd, "uptime"))
        cmd_uptime();
    else if (!strcmp(cmd, "log"))
        cmd_log();
    else if (!strcmp(cmd, "echo"))
        cmd_echo("");
    else if (!strncmp(cmd, "echo ", 5))
        cmd_echo(cmd + 5);
    else if (!strncmp(cmd, "kill ", 5))
        cmd_kill(cmd + 5);
    else
        printf("unknown command: %s (try help)\n", cmd);
}

// Feeds one typed byte to the line editor.
static void shell_input(char c) {
    bool cr_before = last_was_cr;
    last_was_cr = c == '\r';
    if (c == '\n' && cr_before)
        return;
    if (c == '\r' || c == '\n') {
        write_out("\n", 1);
        line[line_len] = '\0';
        run_command(line);
        line_len = 0;
        write_out(PROMPT, strlen(PROMPT));
    } else if (c == 0x7f || c == '\b') {
        if (line_len > 0) {
            line_len--;
            write_out("\b \b", 3);
        }
    } else if (c >= 0x20 && c < 0x7f && line_len < LINE_MAX - 1) {
        line[line_len++] = c;
        write_out(&c, 1);
    }
    // Anything else (control keys, a full line) is ignored.
}

static void on_console(struct loop *loop, handle_t console, uint32_t events, void *arg) {
    char buf[64];
    int64_t n = sys_console_read(console, buf, sizeof(buf));
    if (n == ERR_EMPTY)
        return;
    if (n < 0) {
        log_error("console: %s", err_name(n));
        loop_stop(loop, 1);
        return;
    }
    for (int64_t i = 0; i < n; i++)
        shell_input(buf[i]);
}

int app_main(const struct shell_env *e) {
    env = e;
    handle_t console = env->console;
    struct loop loop;
    int r = loop_init(&loop);
    if (r == 0)
        r = loop_add(&loop, console, POLL_READABLE, on_console, NULL);
    if (r < 0) {
        log_error("cannot watch the console: %s", err_name(r));
        return 1;
    }
    puts("Stellina shell. Type help for the commands.");
    write_out(PROMPT, strlen(PROMPT));
    r = loop_run(&loop);
    loop_destroy(&loop);
    return r;
}
