// SPDX-License-Identifier: MIT
// Two device needs of the same kind (systems/test-devices.toml): the machine has one
// NIC, so `nic` gets it and `nic2` gets none (never the same device twice).
#include <apps/devprobe/env.h>
#include <stdio.h>

static int passed, failed;

static void result(const char *name, bool ok, long long got) {
    if (ok) {
        passed++;
        printf("TEST PASS devprobe_%s\n", name);
    } else {
        failed++;
        printf("TEST FAIL devprobe_%s: got %lld\n", name, got);
    }
}

int app_main(const struct devprobe_env *env) {
    result("nic_given", env->nic_mmio > 0 && env->nic_irq > 0, env->nic_mmio);
    int64_t a = env->nic_mmio > 0 ? sys_folio_paddr(env->nic_mmio) : -1;
    int64_t b = env->nic2_mmio > 0 ? sys_folio_paddr(env->nic2_mmio) : -1;
    result("nic2_not_the_same_device", b == -1 || b != a, b);
    printf("AUTOTEST DONE: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
