// SPDX-License-Identifier: MIT
// The built-in site: the Stellina page, /api/status (JSON), /bytes/<n> test resource, error pages.
#include "http.h"
#include <ctype.h>
#include <protocols/tcpip.h>
#include <stellina/stellina.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BYTES_MAX (64ull << 20) // the largest /bytes/<n>
#define STATUS_MAX 8192
#define INSTANCES_MAX 32

static const char page[] =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
    "<title>Stellina</title>\n<style>\n"
    "body{margin:0;font:16px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;color:#e8e6f0;"
    "background:radial-gradient(ellipse at top,#2b2450 0%,#0d0b1a 70%);min-height:100vh}\n"
    "main{max-width:880px;margin:0 auto;padding:48px 24px}\n"
    "h1{font-size:56px;margin:0;letter-spacing:-1px;background:linear-gradient(90deg,#ffd36e,#ff7ab6,#8ea2ff);"
    "-webkit-background-clip:text;background-clip:text;color:transparent}\n"
    ".tag{color:#b8b3d6;font-size:20px;margin:4px 0 32px}\n"
    ".grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:14px}\n"
    ".card{background:rgba(255,255,255,.06);border:1px solid rgba(255,255,255,.1);border-radius:14px;padding:16px}\n"
    ".card b{display:block;font-size:26px;color:#fff}.card span{color:#a9a4c8;font-size:13px;text-transform:uppercase;letter-spacing:1px}\n"
    "table{width:100%;border-collapse:collapse;margin-top:8px}td,th{text-align:left;padding:6px 8px;border-bottom:1px solid rgba(255,255,255,.08)}\n"
    "th{color:#a9a4c8;font-weight:500;font-size:13px;text-transform:uppercase}\n"
    ".ok{color:#7ee2a8}.warn{color:#ffd36e}h2{margin:36px 0 8px;font-size:20px}\n"
    "p{color:#cfcbe6}a{color:#8ea2ff}code{background:rgba(255,255,255,.08);padding:1px 5px;border-radius:4px}\n"
    "footer{margin-top:40px;color:#8883a8;font-size:13px}\n"
    "</style></head><body><main>\n"
    "<h1>&#10022; Stellina</h1>\n"
    "<div class=\"tag\">A small microkernel operating system, written in C.</div>\n"
    "<p>This page is served by Stellina itself: a virtio-net driver, a TCP/IP server built on lwIP and "
    "this HTTP server are three components, each a single event loop, talking over kernel channels. "
    "Every socket is a channel; every component can run in the kernel or in user mode from the same binary.</p>\n"
    "<div class=\"grid\">\n"
    "<div class=\"card\"><span>Uptime</span><b id=\"uptime\">&ndash;</b></div>\n"
    "<div class=\"card\"><span>Free memory</span><b id=\"mem\">&ndash;</b></div>\n"
    "<div class=\"card\"><span>IPC messages</span><b id=\"ipc\">&ndash;</b></div>\n"
    "<div class=\"card\"><span>HTTP requests</span><b id=\"reqs\">&ndash;</b></div>\n"
    "</div>\n<h2>Components</h2>\n"
    "<table><thead><tr><th>instance</th><th>app</th><th>mode</th><th>state</th><th>restarts</th></tr></thead>"
    "<tbody id=\"inst\"></tbody></table>\n"
    "<h2>Network</h2><p id=\"net\">&ndash;</p>\n"
    "<footer>Live from <code>/api/status</code>, refreshed every two seconds.</footer>\n"
    "</main><script>\n"
    "function fmt(n){return n>=1e6?(n/1e6).toFixed(1)+'M':n>=1e3?(n/1e3).toFixed(1)+'k':''+n}\n"
    "function esc(s){return String(s).replace(/[&<>\"]/g,c=>'&#'+c.charCodeAt(0)+';')}\n"
    "async function tick(){try{const s=await(await fetch('/api/status')).json();\n"
    "const t=Math.floor(s.uptime_ms/1000);uptime.textContent=Math.floor(t/3600)+'h '+Math.floor(t/60)%60+'m '+t%60+'s';\n"
    "mem.textContent=(s.memory.free_bytes/1048576).toFixed(1)+' MiB';\n"
    "ipc.textContent=fmt(s.ipc.messages_sent);reqs.textContent=fmt(s.http.requests);\n"
    "inst.innerHTML=s.instances.map(i=>'<tr><td>'+esc(i.name)+'</td><td>'+esc(i.app)+'</td><td>'+esc(i.mode)+"
    "'</td><td class=\"'+(i.state=='running'?'ok':'warn')+'\">'+esc(i.state)+'</td><td>'+i.restarts+'</td></tr>').join('');\n"
    "net.textContent='address '+s.network.ip+', MAC '+s.network.mac+', '+fmt(s.network.frames_rx)+' frames in, '"
    "+fmt(s.network.frames_tx)+' out';}catch(e){}}\n"
    "tick();setInterval(tick,2000);\n"
    "</script></body></html>\n";

static const char *reason(int status) {
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

static void set_head(struct http_response *res, int status, const char *type, uint64_t len,
                     bool keep_alive, const char *extra) {
    res->head_len = (size_t)snprintf(res->head, sizeof(res->head),
                                     "HTTP/1.1 %d %s\r\nServer: Stellina\r\nContent-Type: %s\r\n"
                                     "Content-Length: %llu\r\nConnection: %s\r\n%s\r\n",
                                     status, reason(status), type, (unsigned long long)len,
                                     keep_alive ? "keep-alive" : "close", extra ? extra : "");
    if (res->head_len >= sizeof(res->head))
        res->head_len = sizeof(res->head) - 1;
}

static void respond_text(struct http_response *res, int status, const char *text, bool keep_alive,
                         const char *extra) {
    set_head(res, status, "text/plain; charset=utf-8", strlen(text), keep_alive, extra);
    res->body = (const uint8_t *)text;
    res->body_len = strlen(text);
}

void site_error(int status, struct http_response *res) {
    memset(res, 0, sizeof(*res));
    snprintf(res->text, sizeof(res->text), "%d %s\n", status, reason(status));
    respond_text(res, status, res->text, false, status == 405 ? "Allow: GET, HEAD\r\n" : NULL);
}

static const char *state_name(uint32_t state) {
    return state == INSTANCE_STATE_RUNNING      ? "running"
           : state == INSTANCE_STATE_RESTARTING ? "restarting"
                                                : "stopped";
}

struct out {
    char *buf;
    size_t len, cap;
};

static void outf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct out *o, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len = o->len + (size_t)n < o->cap ? o->len + (size_t)n : o->cap - 1;
}

static void ip_str(uint32_t ip, char *buf, size_t size) {
    const uint8_t *b = (const uint8_t *)&ip; // network order: first octet first
    snprintf(buf, size, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

// Builds the /api/status JSON into a malloc'd buffer, with tcpip's status
// (NULL if it had none to give); NULL if out of memory.
static char *status_json(const struct tcpip_status_reply *st, size_t *len) {
    static struct sysinfo_instance insts[INSTANCES_MAX];
    struct out o = {.buf = malloc(STATUS_MAX), .cap = STATUS_MAX};
    if (!o.buf)
        return NULL;
    struct sysinfo_mem mem = {0};
    struct sysinfo_ipc ipc = {0};
    sys_sysinfo(SYSINFO_MEM, &mem, sizeof(mem));
    sys_sysinfo(SYSINFO_IPC, &ipc, sizeof(ipc));
    int64_t n = sys_sysinfo(SYSINFO_INSTANCES, insts, sizeof(insts));
    n = n < 0 ? 0 : n / (int64_t)sizeof(insts[0]);
    struct sysinfo_cpu cpu = {0};
    sys_sysinfo(SYSINFO_CPU, &cpu, sizeof(cpu));
    // busy_ms: the part of uptime_ms the CPU was not idle (under QEMU's -icount,
    // instructions executed / 10^6; idle time skips ahead there).
    outf(&o, "{\"system\":\"Stellina\",\"uptime_ms\":%llu,\"busy_ms\":%llu,\"instances\":[",
         (unsigned long long)(cpu.uptime_ns / 1000000),
         (unsigned long long)((cpu.uptime_ns - cpu.idle_ns) / 1000000));
    for (int64_t i = 0; i < n; i++) {
        insts[i].name[sizeof(insts[i].name) - 1] = insts[i].app[sizeof(insts[i].app) - 1] = '\0';
        outf(&o, "%s{\"name\":\"%s\",\"app\":\"%s\",\"mode\":\"%s\",\"state\":\"%s\",\"restarts\":%u}",
             i ? "," : "", insts[i].name, insts[i].app, app_mode_name(insts[i].mode),
             state_name(insts[i].state), insts[i].restarts);
    }
    outf(&o, "],\"memory\":{\"total_bytes\":%llu,\"free_bytes\":%llu,\"kernel_heap_bytes\":%llu},",
         (unsigned long long)(mem.total_pages * mem.page_size),
         (unsigned long long)(mem.free_pages * mem.page_size),
         (unsigned long long)mem.heap_bytes_used);
    outf(&o, "\"ipc\":{\"messages_sent\":%llu,\"messages_received\":%llu,\"syscalls\":%llu},",
         (unsigned long long)ipc.messages_sent, (unsigned long long)ipc.messages_received,
         (unsigned long long)ipc.syscalls);
    char ip[16] = "none", gw[16] = "none";
    if (st && st->mac_len == 6) {
        ip_str(st->ip, ip, sizeof(ip));
        ip_str(st->gateway, gw, sizeof(gw));
        outf(&o, "\"network\":{\"ip\":\"%s\",\"gateway\":\"%s\",\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\","
             "\"link_up\":%s,\"dhcp\":%s,\"frames_rx\":%llu,\"frames_tx\":%llu,\"tcp_sockets\":%u,"
             "\"nic_restarts\":%u},",
             ip, gw, st->mac[0], st->mac[1], st->mac[2], st->mac[3], st->mac[4], st->mac[5],
             st->link_up ? "true" : "false", st->dhcp ? "true" : "false",
             (unsigned long long)st->frames_rx, (unsigned long long)st->frames_tx, st->tcp_sockets,
             st->nic_restarts);
    } else {
        outf(&o, "\"network\":null,");
    }
    outf(&o, "\"http\":{\"requests\":%llu,\"connections\":%llu,\"active_connections\":%u}}\n",
         (unsigned long long)http_stats.requests, (unsigned long long)http_stats.connections,
         http_stats.active);
    *len = o.len;
    return o.buf;
}

// GET /api/dns?name=<host>: a lookup through the tcpip server's DNS (UDP),
// answered by site_complete.
static void dns_respond(const char *query, struct http_response *res) {
    struct tcpip_dns_lookup req;
    size_t n = 0;
    if (strncmp(query, "name=", 5) == 0) {
        for (const char *p = query + 5; *p && *p != '&' && n < sizeof(req.name) - 1; p++)
            req.name[n++] = *p;
    }
    req.name[n] = '\0';
    // A host name (letters, digits, '-', '.'): nothing else goes to DNS, and
    // the name is echoed in the JSON answer as it is.
    bool host = n > 0;
    for (size_t i = 0; i < n; i++)
        host &= isalnum((unsigned char)req.name[i]) || req.name[i] == '-' || req.name[i] == '.';
    if (!host) {
        respond_text(res, 400, "400 Bad Request: /api/dns?name=<host name>\n", res->keep_alive,
                     NULL);
        return;
    }
    _Static_assert(sizeof(res->dns_name) >= sizeof(req.name), "dns_name holds a lookup's name");
    memcpy(res->dns_name, req.name, n + 1);
    if (tcpip_dns_lookup_send((handle_t)http_tcpip, &req) == 0)
        res->wait = WAIT_DNS;
    else // the tcpip server is gone or its queue full
        respond_text(res, 502, "502 Bad Gateway\n", res->keep_alive, NULL);
}

static void status_respond(struct http_response *res, const struct tcpip_status_reply *st) {
    size_t len = 0;
    char *json = status_json(st, &len);
    if (!json) {
        respond_text(res, 502, "out of memory\n", res->keep_alive, NULL);
    } else {
        set_head(res, 200, "application/json", len, res->keep_alive, "Cache-Control: no-store\r\n");
        res->body = res->owned = (uint8_t *)json;
        res->body_len = len;
    }
}

void site_complete(struct http_response *res, const struct msg *answer) {
    if (res->wait == WAIT_STATUS) {
        struct tcpip_status_reply st;
        status_respond(res, tcpip_status_reply_decode(answer, &st) == 0 ? &st : NULL);
    } else {
        struct tcpip_dns_reply rep;
        if (tcpip_dns_reply_decode(answer, &rep) == 0) {
            char ips[16];
            ip_str(rep.ip, ips, sizeof(ips));
            snprintf(res->text, sizeof(res->text), "{\"name\":\"%s\",\"ip\":\"%s\"}\n",
                     res->dns_name, ips);
            set_head(res, 200, "application/json", strlen(res->text), res->keep_alive, NULL);
        } else {
            snprintf(res->text, sizeof(res->text), "{\"name\":\"%s\",\"error\":\"%s\"}\n",
                     res->dns_name, err_name(msg_error_code(answer)));
            set_head(res, 502, "application/json", strlen(res->text), res->keep_alive, NULL);
        }
        res->body = (const uint8_t *)res->text;
        res->body_len = strlen(res->text);
    }
    res->wait = WAIT_NONE;
    if (res->head_only)
        res->body_len = 0;
}

void site_respond(const struct http_request *req, struct http_response *res, bool may_wait) {
    memset(res, 0, sizeof(*res));
    const char *t = req->target;
    bool ka = req->keep_alive;
    res->keep_alive = ka;
    res->head_only = req->method == METHOD_HEAD;
    if (strcmp(t, "/") == 0 || strcmp(t, "/index.html") == 0) {
        set_head(res, 200, "text/html; charset=utf-8", sizeof(page) - 1, ka, NULL);
        res->body = (const uint8_t *)page;
        res->body_len = sizeof(page) - 1;
    } else if (!may_wait && strncmp(t, "/api/", 5) == 0) {
        respond_text(res, 503, "503 Service Unavailable\n", ka, NULL);
    } else if (strcmp(t, "/api/status") == 0) {
        static const struct tcpip_status req;
        if (tcpip_status_send((handle_t)http_tcpip, &req) == 0)
            res->wait = WAIT_STATUS;
        else // the tcpip server is gone or its queue full: no network part
            status_respond(res, NULL);
    } else if (strncmp(t, "/api/dns?", 9) == 0) {
        dns_respond(t + 9, res);
    } else if (strncmp(t, "/bytes/", 7) == 0) {
        char *end;
        unsigned long long n = strtoul(t + 7, &end, 10);
        if (*end || end == t + 7 || n > BYTES_MAX) {
            respond_text(res, 404, "404 Not Found\n", ka, NULL);
        } else {
            set_head(res, 200, "application/octet-stream", n, ka, NULL);
            res->pattern = true;
            res->body_len = n;
        }
    } else {
        respond_text(res, 404, "404 Not Found\n", ka, NULL);
    }
    if (res->head_only)
        res->body_len = 0; // the headers say how long the body would be (site_complete too)
}
