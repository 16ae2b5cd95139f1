"""The browser tests run under `make test-browser` (which installs Chromium), not `make test`:
collected only when GAUNTLET_BROWSER_TESTS=1, and then a missing Chromium is a failure."""

import os

if os.environ.get("GAUNTLET_BROWSER_TESTS") != "1":
    collect_ignore_glob = ["test_*.py"]
