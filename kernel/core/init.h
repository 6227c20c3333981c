// SPDX-License-Identifier: MIT
// Init: starts the instances of the system's boot plan and wires their channels.
#pragma once
#include <stddef.h>

// Reads "plan" from the bootfs and starts every instance in it.
void init_start(void);

struct sysinfo_instance;
// Fills up to max records about the system's instances; returns how many there are
// (which may be more than max).
size_t init_instances_info(struct sysinfo_instance *out, size_t max);
