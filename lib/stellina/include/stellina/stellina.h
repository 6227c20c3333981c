// SPDX-License-Identifier: MIT
// The whole app API in one include: syscalls, app/env/log, channels, the event loop, memory.
#pragma once
#include <stellina/syscall.h>
#include <stellina/app.h>
#include <stellina/channel.h>
#include <stellina/loop.h>
#include <stellina/mem.h>
#include <stellina/server.h>
