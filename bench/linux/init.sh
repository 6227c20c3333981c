#!/bin/sh
# SPDX-License-Identifier: MIT
# The Linux baseline guest's init: brings up virtio-net, starts nginx and busybox httpd, runs ubench.
#
# The kernel command line picks what it does (tools/bench.py sets it):
#   bench_iters=N   run the micro benchmarks with N iterations (0: skip them)
#   bench_exit=1    power off when done (the micro run); otherwise keep serving
# Every figure is a "BENCH <key> <value>" line on the console; "BENCH DONE" ends them.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
ubench --now linux_init_ns
# Where clock_gettime reads time from (the harness logs it; tsc follows QEMU's icount clock).
echo "BENCH clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"

arg() { sed -n "s/.*\b$1=\([0-9a-z]*\).*/\1/p" /proc/cmdline; }
iters=$(arg bench_iters)
power_off=$(arg bench_exit)

for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci \
         failover net_failover virtio_net; do
    insmod /lib/modules/$m.ko || echo "BENCH insmod_$m failed"
done
ip link set lo up
ip link set eth0 up || echo "BENCH eth0 failed"
# Bounded: 5 discover tries, then give up (-n) instead of retrying forever.
udhcpc -i eth0 -s /etc/udhcpc.sh -q -n -t 5 -T 1 >/dev/null 2>&1 || echo "BENCH dhcp failed"

nginx || { echo "BENCH nginx failed"; cat /var/log/nginx/error.log; }
httpd -p 8081 -h /www || echo "BENCH busybox_httpd failed"
# The first HTTP response, asked from inside (bounded): the guest's busy time then (uptime
# minus idle) is the boot-to-HTTP figure in guest instructions when QEMU runs under -icount
# (idle time skips ahead there); boot_to_http_uptime_ns is its uptime.
i=0
while [ $i -lt 200 ]; do
    if wget -q -O /dev/null http://127.0.0.1/; then
        ubench --busy boot_to_http_insns
        ubench --now boot_to_http_uptime_ns
        break
    fi
    i=$((i + 1))
    usleep 10000
done
[ $i -lt 200 ] || echo "BENCH boot_to_http_insns failed no response"
echo "BENCH SERVING"

if [ "${iters:-0}" -gt 0 ]; then
    ubench "$iters"
fi
echo "BENCH DONE"
if [ "$power_off" = 1 ]; then
    poweroff -f
fi
# Keep serving; the host stops QEMU by its PID.
while true; do sleep 3600; done
