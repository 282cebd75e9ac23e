"""One writer for the files a command writes where the user said (reports/pages.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from derive.reports import pages

from derive.errors import OutputError

MARK = "<!-- a page of ours -->"


def test_a_fifo_a_folder_and_a_users_file_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="it is not a regular file"):
        pages.check_target(fifo, MARK, "x.html")  # never opened: that would block
    with pytest.raises(OutputError, match="is a directory; give a file name like x.html"):
        pages.check_target(tmp_path, MARK, "x.html")
    mine = tmp_path / "notes.html"
    mine.write_text("my own notes")
    with pytest.raises(OutputError, match="refusing to overwrite"):
        pages.check_target(mine, MARK, "x.html")
    assert mine.read_text() == "my own notes"


def test_pages_get_open_s_mode_and_caches_keep_0600(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    pages.write_page(pages.check_target(page, MARK, "x.html"), MARK + "\nhello")
    assert page.read_text() == MARK + "\nhello"
    assert stat.S_IMODE(page.stat().st_mode) == 0o666 & ~pages.umask()
    assert pages.check_target(page, MARK, "x.html") == page  # ours: may be rewritten
    cache = tmp_path / "c.bin"
    pages.write_atomic(cache, b"\x00\x01", public=False)
    assert cache.read_bytes() == b"\x00\x01" and stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
