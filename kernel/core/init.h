// SPDX-License-Identifier: MIT
// Init: starts the instances of the system's boot plan and wires their channels.
#pragma once

// Reads "plan" from the bootfs and starts every instance in it.
void init_start(void);
