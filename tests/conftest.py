"""Test-wide settings: proofs kept on disk go to a fresh folder for this run (never the user's
~/.cache), so each run starts cold and runs do not depend on one another; subprocesses of the
command line inherit it."""

from __future__ import annotations

import os
import tempfile

os.environ["DERIVE_CACHE_DIR"] = tempfile.mkdtemp(prefix="derive-test-cache-")
