# SPDX-License-Identifier: MIT
# Extra libraries an app may link (lib/virtio, lwIP), chosen in its app.toml: [build] libs = [...].
#
# For a library L: LIB_L_SRCS are its sources (built like app code into
# $(BUILD)/app/...), LIB_L_CFLAGS the flags its own files need, and
# LIB_L_USE_CFLAGS the flags of the apps that use it. tools/applibs.py turns
# the app.toml choices into $(BUILD)/applibs.mk (APP_LIBS_<app>).

LIB_virtio_SRCS := $(wildcard lib/virtio/*.c)
LIB_virtio_USE_CFLAGS := -Ilib/virtio/include
# Its own files also take this arch's ordering primitives (lib/virtio/barrier.h).
$(BUILD)/app/lib/virtio/%: APP_CFLAGS += $(LIB_virtio_USE_CFLAGS) -Ilib/virtio/arch/$(ARCH)

# lwIP 2.1.x, fetched by tools/setup.sh from Debian's source package (never
# kept in the repo). IPv4 only; its port (lwipopts.h, arch/cc.h) is apps/tcpip/port.
LWIP_DIR := build/third_party/lwip
LWIP_STAMP := $(LWIP_DIR)/.fetched
LIB_lwip_SRCS := $(addprefix $(LWIP_DIR)/src/,core/init.c core/def.c core/dns.c \
	core/inet_chksum.c core/ip.c core/mem.c core/memp.c core/netif.c core/pbuf.c core/raw.c \
	core/stats.c core/sys.c core/tcp.c core/tcp_in.c core/tcp_out.c core/timeouts.c core/udp.c \
	core/ipv4/dhcp.c core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c core/ipv4/ip4_addr.c \
	core/ipv4/ip4_frag.c netif/ethernet.c)
LIB_lwip_USE_CFLAGS := -I$(LWIP_DIR)/src/include -Iapps/tcpip/port
# lwIP is third-party code: its own warnings are not ours to fix.
$(BUILD)/app/$(LWIP_DIR)/%: APP_CFLAGS += $(LIB_lwip_USE_CFLAGS) -Wno-error
$(addprefix $(BUILD)/app/,$(LIB_lwip_SRCS:=.o)): | $(LWIP_STAMP)
$(LIB_lwip_SRCS): | $(LWIP_STAMP)
$(LWIP_STAMP):
	$(Q)bash tools/setup.sh

# The objects of the extra libraries app $(1) links.
app_lib_objs = $(foreach l,$(APP_LIBS_$(1)),$(call obj,app,$(LIB_$(l)_SRCS)))

$(BUILD)/applibs.mk: $(wildcard apps/*/app.toml) tools/applibs.py
	@mkdir -p $(dir $@)
	$(Q)$(PYTHON) tools/applibs.py $(wildcard apps/*/app.toml) > $@.tmp && mv $@.tmp $@
-include $(BUILD)/applibs.mk
