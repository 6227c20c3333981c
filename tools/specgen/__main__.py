# SPDX-License-Identifier: MIT
# Entry point of `python3 tools/specgen ...`: see cli.py.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cli import main  # noqa: E402

sys.exit(main())
