#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what a fresh Debian 12 machine lacks to build, run and test Stellina (idempotent).
#
# Checks each needed command or file first and calls apt-get only when
# something is missing. Run as root, or as a user with sudo.
set -euo pipefail

# Each entry: "<package> <command, absolute file, or @check that proves it is installed>".
needs=(
    "clang clang"
    "lld ld.lld"
    "make make"
    "python3 python3"
    "llvm-14 llvm-objcopy-14"
    "llvm-14 llvm-readelf-14"
    "libclang-rt-14-dev @asan-runtime"
    "qemu-system-misc qemu-system-riscv64"
    "qemu-system-data /usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin"
    "qemu-system-arm qemu-system-aarch64"
    "qemu-system-x86 qemu-system-x86_64"
    "gdb-multiarch gdb-multiarch"
    "curl curl"
)

present() {
    case "$1" in
    # The runtime's path carries clang's exact version; any 14.x will do.
    @asan-runtime)
        compgen -G "/usr/lib/llvm-14/lib/clang/14*/lib/linux/libclang_rt.asan-*.a" >/dev/null ;;
    /*) [ -e "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
    esac
}

missing=()
for entry in "${needs[@]}"; do
    pkg=${entry%% *}
    what=${entry#* }
    present "$what" && continue
    # Add each package once.
    case " ${missing[*]:-} " in
    *" $pkg "*) ;;
    *) missing+=("$pkg") ;;
    esac
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: everything needed is installed"
else
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "setup: missing ${missing[*]}, and not root: install them or get sudo" >&2
            exit 1
        fi
        sudo="sudo"
    fi
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${missing[@]}"
    # A package that installed but did not provide what we need is an error.
    still=()
    for entry in "${needs[@]}"; do
        present "${entry#* }" || still+=("${entry#* }")
    done
    if [ ${#still[@]} -ne 0 ]; then
        echo "setup: still missing after the install: ${still[*]}" >&2
        exit 1
    fi
    echo "setup: installed ${missing[*]}"
fi

# tomllib (Python 3.11+) reads the system specs.
if ! python3 -c 'import tomllib' >/dev/null 2>&1; then
    echo "setup: python3 lacks tomllib (needs Python 3.11 or later, as in Debian 12)" >&2
    exit 1
fi
