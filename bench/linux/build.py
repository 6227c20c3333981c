#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Builds the Linux baseline guest (x86_64 or arm64) from Debian's packages: kernel, busybox initramfs, nginx.
#
# Everything is fetched at bench time with `apt-get download` into build/bench/debs
# (a cache: a package already there is not fetched again) and nothing prebuilt is
# committed. For arm64 the machine's dpkg learns the arm64 architecture first
# (`dpkg --add-architecture arm64`, then `apt-get update`): that only lets apt fetch
# arm64 packages; nothing arm64 is installed. Outputs, in build/bench/linux/<arch>/:
#   vmlinuz       the kernel of Debian's linux-image-*-cloud-<debian arch>
#   initrd.gz     a gzip'd newc cpio: busybox-static, the virtio-net modules, nginx and
#                 the shared libraries it needs (from the same release's packages), the
#                 static benchmark program (ubench.c, built with clang against the
#                 release's libc) and the init script (init.sh)
# Prints the two paths on success; exits non-zero with a message naming the step on error.
# Usage: bench/linux/build.py [--arch x86_64|arm64] [--out DIR]
import argparse
import gzip
import io
import os
import pathlib
import re
import shutil
import stat
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
HERE = ROOT / "bench" / "linux"
DEBS = ROOT / "build" / "bench" / "debs"

# Per arch: Debian's name for it, and the target triple clang builds ubench for.
ARCHES = {
    "x86_64": {"deb": "amd64", "triple": "x86_64-linux-gnu"},
    "arm64": {"deb": "arm64", "triple": "aarch64-linux-gnu"},
}
# What ubench links against statically (and the headers it includes).
SYSROOT_PACKAGES = ["libc6", "libc6-dev", "libgcc-12-dev", "linux-libc-dev"]

# The cloud kernel has virtio-net as modules; init.sh loads them (in dependency order).
MODULES = [
    "drivers/virtio/virtio.ko",
    "drivers/virtio/virtio_ring.ko",
    "drivers/virtio/virtio_pci_modern_dev.ko",
    "drivers/virtio/virtio_pci_legacy_dev.ko",
    "drivers/virtio/virtio_pci.ko",
    "net/core/failover.ko",
    "drivers/net/net_failover.ko",
    "drivers/net/virtio_net.ko",
]

NGINX_CONF = """\
# The baseline's nginx: one process, no logging, the same page as busybox httpd.
daemon on;
master_process off;
worker_processes 1;
error_log /var/log/nginx/error.log;
pid /run/nginx.pid;
events { worker_connections 256; }
http {
    access_log off;
    default_type text/html;
    keepalive_requests 1000000;
    server {
        listen 80;
        root /www;
    }
}
"""

INDEX_HTML = """\
<!doctype html>
<html><head><title>benchmark</title></head>
<body><h1>Hello from the benchmark guest</h1><p>A small static page, served the same way by every server measured.</p></body></html>
"""


class BuildError(Exception):
    pass


def run(cmd, **kw):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if proc.returncode != 0:
        raise BuildError(f"{' '.join(map(str, cmd))} failed:\n{proc.stdout[-2000:]}")
    return proc.stdout


def ensure_arch(deb_arch):
    """Lets apt fetch deb_arch's packages (a foreign architecture for dpkg)."""
    native = run(["dpkg", "--print-architecture"]).strip()
    foreign = run(["dpkg", "--print-foreign-architectures"]).split()
    if deb_arch != native and deb_arch not in foreign:
        run(["dpkg", "--add-architecture", deb_arch])
        run(["apt-get", "update"])


def kernel_package(deb_arch):
    """The versioned package the metapackage linux-image-cloud-<arch> depends on."""
    meta = f"linux-image-cloud-{deb_arch}:{deb_arch}"
    for attempt in range(2):
        proc = subprocess.run(["apt-cache", "depends", meta],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        m = re.search(rf"Depends:\s*(linux-image-[0-9][^\s:]*-cloud-{deb_arch})", proc.stdout)
        if m:
            return m.group(1)
        if attempt == 0:
            run(["apt-get", "update"])  # a fresh machine may have no package lists yet
    raise BuildError(f"apt-cache knows no {meta} even after apt-get update")


def dependencies(package, deb_arch):
    """The packages `package` depends on directly (shared_libs picks its libraries there)."""
    out = run(["apt-cache", "depends", f"{package}:{deb_arch}"])
    return sorted(set(re.findall(r"^\s*Depends:\s*([^\s:<>]+)", out, re.M)))


def fetch(package, deb_arch):
    """The path of package's .deb for deb_arch in the cache, downloading it if missing."""
    DEBS.mkdir(parents=True, exist_ok=True)
    # apt-get download names files name_version_arch.deb (':' escaped as %3a).
    def cached():
        return sorted(DEBS.glob(f"{package}_*_{deb_arch}.deb")) + \
            sorted(DEBS.glob(f"{package}_*_all.deb"))
    if cached():
        return cached()[-1]
    try:
        run(["apt-get", "download", f"{package}:{deb_arch}"], cwd=DEBS)
    except BuildError:
        run(["apt-get", "update"])  # a stale list names versions the mirror dropped
        run(["apt-get", "download", f"{package}:{deb_arch}"], cwd=DEBS)
    if not cached():
        raise BuildError(f"apt-get download {package}:{deb_arch} left no .deb in {DEBS}")
    return cached()[-1]


def extract(debs, dest):
    """Unpacks the .deb files into one fresh folder (packages never share a file)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for deb in debs:
        run(["dpkg-deb", "-x", str(deb), str(dest)])


class Cpio:
    """A newc-format cpio archive written in memory (no dependency on the cpio tool)."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.ino = 1
        self.dirs = set()

    def _entry(self, name, mode, data=b""):
        name_b = name.encode() + b"\0"
        hdr = "070701" + "".join(f"{v:08x}" for v in [
            self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_b), 0])
        self.ino += 1
        self.buf.write(hdr.encode() + name_b)
        self.buf.write(b"\0" * ((4 - (110 + len(name_b)) % 4) % 4))
        self.buf.write(data)
        self.buf.write(b"\0" * ((4 - len(data) % 4) % 4))

    def dir(self, name):
        parts = name.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d and d not in self.dirs:
                self.dirs.add(d)
                self._entry(d, stat.S_IFDIR | 0o755)

    def file(self, name, data, mode=0o644):
        name = name.strip("/")
        self.dir(os.path.dirname(name))
        self._entry(name, stat.S_IFREG | mode, data)

    def symlink(self, name, target):
        name = name.strip("/")
        self.dir(os.path.dirname(name))
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def finish(self):
        self._entry("TRAILER!!!", 0)
        return self.buf.getvalue()


def elf_needs(path):
    """The shared libraries an ELF file names (DT_NEEDED) and its interpreter, if any."""
    out = run(["readelf", "-d", "-l", "-W", str(path)])
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
    interp = re.search(r"Requesting program interpreter: ([^\]]+)\]", out)
    return needed, interp.group(1) if interp else None


def shared_libs(binary, tree):
    """(path in the guest, file in `tree`) of every library `binary` loads, found by name
    in `tree` (the release's library packages, extracted), transitively."""
    files = {}
    for f in tree.rglob("*"):
        if f.is_file() or f.is_symlink():
            files.setdefault(f.name, f)
    found, todo, binary_interp = {}, [binary], None
    while todo:
        path = todo.pop()
        needed, interp = elf_needs(path)
        if path == binary:
            binary_interp = interp
        for name in needed + ([os.path.basename(interp)] if interp else []):
            if name in found:
                continue
            if name not in files:
                raise BuildError(f"{binary.name} needs {name}, which no package of its has")
            real = files[name].resolve()
            if not real.is_relative_to(tree.resolve()):  # an absolute link: follow it in tree
                real = (tree / os.path.realpath(files[name]).lstrip("/")).resolve()
            found[name] = (str(files[name].relative_to(tree)), real)
            todo.append(real)
    libs = list(found.values())
    # The interpreter where the binary asks for it, too (often a link into the lib dir).
    if binary_interp:
        libs.append((binary_interp, found[os.path.basename(binary_interp)][1]))
    return libs


def build_ubench(triple, sysroot, out):
    """ubench.c, static, for `triple`, against the libc in `sysroot`."""
    run(["clang", f"--target={triple}", f"--sysroot={sysroot}", "-fuse-ld=lld", "-static",
         "-O2", "-Wall", "-Wextra", "-Werror", "-o", str(out), str(HERE / "ubench.c")])


def build(arch, out):
    deb_arch = ARCHES[arch]["deb"]
    ensure_arch(deb_arch)
    work = out / "extract"
    kpkg = kernel_package(deb_arch)
    print(f"linux baseline ({arch}): {kpkg}, busybox-static, nginx", flush=True)
    extract([fetch(kpkg, deb_arch)], work / "kernel")
    extract([fetch("busybox-static", deb_arch)], work / "busybox")
    extract([fetch("nginx", deb_arch)], work / "nginx")
    extract([fetch(p, deb_arch) for p in dependencies("nginx", deb_arch)], work / "libs")
    extract([fetch(p, deb_arch) for p in SYSROOT_PACKAGES], work / "sysroot")

    vmlinuz = sorted((work / "kernel" / "boot").glob("vmlinuz-*"))
    if not vmlinuz:
        raise BuildError(f"{kpkg} has no boot/vmlinuz-*")
    moddir = sorted((work / "kernel" / "lib" / "modules").iterdir())[-1] / "kernel"

    ubench = out / "ubench"
    build_ubench(ARCHES[arch]["triple"], work / "sysroot", ubench)

    cp = Cpio()
    for d in ["proc", "sys", "dev", "tmp", "run", "root", "etc", "sbin", "usr/bin", "usr/sbin",
              "var/log/nginx", "var/lib/nginx", "lib/modules"]:
        cp.dir(d)
    cp.file("bin/busybox", (work / "busybox" / "bin" / "busybox").read_bytes(), 0o755)
    cp.symlink("bin/sh", "busybox")
    cp.file("init", (HERE / "init.sh").read_bytes(), 0o755)
    cp.file("bin/ubench", ubench.read_bytes(), 0o755)
    for m in MODULES:
        src = moddir / m
        if not src.exists():
            raise BuildError(f"{kpkg} has no module {m}")
        cp.file(f"lib/modules/{src.name}", src.read_bytes())
    nginx = work / "nginx" / "usr" / "sbin" / "nginx"
    cp.file("usr/sbin/nginx", nginx.read_bytes(), 0o755)
    for path, real in shared_libs(nginx, work / "libs"):
        cp.file(path, real.read_bytes(), 0o755)
    cp.file("etc/nginx/nginx.conf", NGINX_CONF.encode())
    cp.file("www/index.html", INDEX_HTML.encode())
    # The resource the HTTP figures fetch, the size of what Stellina's /bytes/1024 sends.
    cp.file("www/bytes/1024", bytes(b"0123456789abcdef"[i % 16] for i in range(1024)))
    # nginx resolves its (unused) worker user even with master_process off.
    cp.file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
    cp.file("etc/group", b"root:x:0:\nnogroup:x:65534:\n")
    cp.file("etc/udhcpc.sh", (HERE / "udhcpc.sh").read_bytes(), 0o755)

    shutil.copyfile(vmlinuz[-1], out / "vmlinuz")
    (out / "initrd.gz").write_bytes(gzip.compress(cp.finish(), compresslevel=6))
    return out / "vmlinuz", out / "initrd.gz"


def main():
    ap = argparse.ArgumentParser(description="Build the Linux baseline guest")
    ap.add_argument("--arch", default="x86_64", choices=sorted(ARCHES))
    ap.add_argument("--out", help="output folder (default build/bench/linux/<arch>)")
    args = ap.parse_args()
    out = pathlib.Path(args.out or ROOT / "build" / "bench" / "linux" / args.arch)
    out.mkdir(parents=True, exist_ok=True)
    try:
        for p in build(args.arch, out):
            print(p)
    except BuildError as e:
        print(f"bench/linux/build.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
