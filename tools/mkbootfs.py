#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Compatibility wrapper: the boot plan and bootfs are written by tools/specgen now (see docs/specs.md).
"""Usage: mkbootfs.py --system systems/NAME.toml --apps-dir build/ARCH/apps -o bootfs.bin
       mkbootfs.py --list-apps --system systems/NAME.toml

Same as `python3 tools/specgen bootfs --system ... --elf-dir ... -o ...` and
`python3 tools/specgen list-apps --system ...`.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "specgen"))
from cli import main as specgen_main  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--system", required=True)
    ap.add_argument("--apps-dir")
    ap.add_argument("-o", "--output")
    ap.add_argument("--list-apps", action="store_true", help="print the apps the system uses")
    args = ap.parse_args()
    if args.list_apps:
        return specgen_main(["list-apps", "--system", args.system])
    return specgen_main(["bootfs", "--system", args.system, "--elf-dir", args.apps_dir,
                         "-o", args.output])


if __name__ == "__main__":
    sys.exit(main())
