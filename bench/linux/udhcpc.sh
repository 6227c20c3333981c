#!/bin/sh
# SPDX-License-Identifier: MIT
# udhcpc's event script in the Linux baseline guest: applies the lease to the interface.
case "$1" in
bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    for r in $router; do ip route add default via "$r" dev "$interface"; break; done
    ;;
deconfig)
    ip addr flush dev "$interface"
    ;;
esac
exit 0
