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
