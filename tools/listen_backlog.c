// SPDX-License-Identifier: MIT
// listen() with a backlog of at least 128, preloaded into QEMU (LD_PRELOAD) for its forwarded ports.
//
// libslirp (QEMU's user network) listens on a forwarded port with a backlog of
// 1: when a client opens several connections at once (ab -c 32, wrk -c8), the
// host kernel drops handshakes the client already counts as complete, and its
// requests wait for TCP's retransmissions (200 ms, 400 ms, ...) or never
// arrive. See docs/networking.md. `make run`, the HTTP e2e test and `make
// bench` start QEMU with this.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/socket.h>

int listen(int fd, int backlog) {
    static int (*real_listen)(int, int);
    if (!real_listen)
        real_listen = (int (*)(int, int))dlsym(RTLD_NEXT, "listen");
    return real_listen(fd, backlog < 128 ? 128 : backlog);
}
