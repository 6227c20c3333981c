#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Builds the Linux baseline guest (x86_64) from Debian's packages: kernel, busybox initramfs, nginx.
#
# Everything is fetched at bench time with `apt-get download` into build/bench/debs
# (a cache: a package already there is not fetched again) and nothing prebuilt is
# committed. Outputs, in build/bench/linux/:
#   vmlinuz       the kernel of Debian's linux-image-*-cloud-amd64
#   initrd.gz     a gzip'd newc cpio: busybox-static, the virtio-net modules, nginx and
#                 the shared libraries it needs, the static benchmark program (ubench.c)
#                 and the init script (init.sh)
# Prints the two paths on success; exits non-zero with a message naming the step on error.
# Usage: bench/linux/build.py [--out DIR]
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


def kernel_package():
    """The versioned package the metapackage linux-image-cloud-amd64 depends on."""
    for attempt in range(2):
        proc = subprocess.run(["apt-cache", "depends", "linux-image-cloud-amd64"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        m = re.search(r"Depends:\s*(linux-image-[0-9][^\s]*-cloud-amd64)", proc.stdout)
        if m:
            return m.group(1)
        if attempt == 0:
            run(["apt-get", "update"])  # a fresh machine may have no package lists yet
    raise BuildError("apt-cache knows no linux-image-cloud-amd64 even after apt-get update")


def fetch(package):
    """The path of package's .deb in the cache, downloading it if missing."""
    DEBS.mkdir(parents=True, exist_ok=True)
    # apt-get download names files name_version_arch.deb (':' escaped as %3a).
    found = sorted(DEBS.glob(f"{package}_*.deb"))
    if found:
        return found[-1]
    try:
        run(["apt-get", "download", package], cwd=DEBS)
    except BuildError:
        run(["apt-get", "update"])  # a stale list names versions the mirror dropped
        run(["apt-get", "download", package], cwd=DEBS)
    found = sorted(DEBS.glob(f"{package}_*.deb"))
    if not found:
        raise BuildError(f"apt-get download {package} left no .deb in {DEBS}")
    return found[-1]


def extract(deb, dest):
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
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


def shared_libs(binary):
    """The shared libraries `binary` loads (host paths), found with ldd.

    The host runs the same Debian release the packages come from, so its libraries
    are the ones nginx was built against."""
    out = run(["ldd", str(binary)])
    libs = []
    for line in out.splitlines():
        if "not found" in line:
            raise BuildError(f"{binary}: {line.strip()} (install the library's package)")
        m = re.search(r"(/\S+)\s+\(0x", line)
        if m:
            libs.append(pathlib.Path(m.group(1)))
    return libs


def build(out):
    work = out / "extract"
    kpkg = kernel_package()
    print(f"linux baseline: {kpkg}, busybox-static, nginx", flush=True)
    extract(fetch(kpkg), work / "kernel")
    extract(fetch("busybox-static"), work / "busybox")
    extract(fetch("nginx"), work / "nginx")

    vmlinuz = sorted((work / "kernel" / "boot").glob("vmlinuz-*"))
    if not vmlinuz:
        raise BuildError(f"{kpkg} has no boot/vmlinuz-*")
    moddir = sorted((work / "kernel" / "lib" / "modules").iterdir())[-1] / "kernel"

    ubench = out / "ubench"
    if not shutil.which("gcc") or not pathlib.Path("/usr/lib/x86_64-linux-gnu/libc.a").exists():
        # The static benchmark needs gcc and glibc's static libc (tools/setup.sh should
        # have installed them; a bare machine gets them here).
        run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "gcc", "libc6-dev"])
    run(["gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o", str(ubench),
         str(HERE / "ubench.c")])

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
    for lib in shared_libs(nginx):
        cp.file(str(lib), lib.resolve().read_bytes(), 0o755)
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
    ap.add_argument("--out", default=str(ROOT / "build" / "bench" / "linux"))
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        for p in build(out):
            print(p)
    except BuildError as e:
        print(f"bench/linux/build.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
