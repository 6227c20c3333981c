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
    "apache2-utils ab"
    "wrk wrk"
    "dpkg-dev dpkg-source"
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

# lwIP 2.1.x for apps/tcpip: Debian's source package, unpacked into
# build/third_party/lwip (never committed). apt gets a private deb-src list
# derived from the machine's own sources and a private lists directory, so
# the system's apt configuration is left alone.
fetch_lwip() {
    local root dest apt_dir
    root=$(cd "$(dirname "$0")/.." && pwd)
    dest="$root/build/third_party/lwip"
    if [ -f "$dest/.fetched" ]; then
        return 0
    fi
    apt_dir="$root/build/apt"
    mkdir -p "$apt_dir/parts" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" \
        "$root/build/third_party/src"
    : >"$apt_dir/parts/deb-src.list"
    : >"$apt_dir/parts/deb-src.sources"
    # One-line style entries (sources.list) ...
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >>"$apt_dir/parts/deb-src.list"
    done
    # ... and deb822 style (*.sources): every stanza, with Types set to deb-src.
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        sed 's/^Types:.*/Types: deb-src/' "$f" >>"$apt_dir/parts/deb-src.sources"
        echo >>"$apt_dir/parts/deb-src.sources"
    done
    local opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt_dir/parts"
        -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
        -o "APT::Sandbox::User=root")
    echo "setup: fetching the lwIP source package (apt-get source lwip)"
    apt-get -q "${opts[@]}" update >/dev/null
    rm -rf "$root/build/third_party/src/lwip"*
    (cd "$root/build/third_party/src" && apt-get -q "${opts[@]}" source lwip >/dev/null)
    local src
    src=$(ls -d "$root"/build/third_party/src/lwip-*/ | head -n 1)
    local major minor
    major=$(sed -n 's/^#define LWIP_VERSION_MAJOR[[:space:]]*\([0-9]*\).*/\1/p' "$src/src/include/lwip/init.h")
    minor=$(sed -n 's/^#define LWIP_VERSION_MINOR[[:space:]]*\([0-9]*\).*/\1/p' "$src/src/include/lwip/init.h")
    if [ "$major.$minor" != "2.1" ]; then
        echo "setup: Debian's lwip is version $major.$minor; Stellina needs 2.1.x" >&2
        exit 1
    fi
    rm -rf "$dest"
    mv "$src" "$dest"
    touch "$dest/.fetched"
    echo "setup: lwIP $major.$minor in build/third_party/lwip"
}
fetch_lwip
