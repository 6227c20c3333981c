// SPDX-License-Identifier: MIT
// Serving clients: init hands a server each new client's channel in a MSG_CONNECT on its "init" channel.
#pragma once
#include <stellina/loop.h>

// Watches the app's "init" channel in `loop`; for every client init connects
// (at boot, and again whenever a client restarts) it adds the client's
// channel to the loop with POLL_READABLE and `on_client` as its callback.
// The server owns those channels: on POLL_CLOSED it should loop_remove and
// close them. Returns 0 or an ERR_* (ERR_NOT_FOUND: no "init" channel).
int loop_serve(struct loop *loop, loop_fn on_client, void *arg);

// loop_serve for the clients of one `protocol` (as the client's app.toml
// names it): a server of several protocols gives each its own callback, so
// that a client is treated by the protocol it was wired for, whatever it
// sends. Clients of a protocol without a callback of its own go to
// loop_serve's, or are refused (their channel closed) if there is none.
// Up to SERVE_PROTOCOLS_MAX protocols; ERR_NO_MEMORY beyond.
#define SERVE_PROTOCOLS_MAX 4
int loop_serve_protocol(struct loop *loop, const char *protocol, loop_fn on_client, void *arg);
