"""Reading a CSV file someone exported: a regular file of bounded size, read whole, every
failure a message naming the file and the line."""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

from plansync.errors import ActivitiesError, Problem


def csv_rows(path: Path, max_bytes: int) -> list[list[str]]:
    """Every row of the file (a FIFO or a device is refused: it would never end)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise csv_error(path, 1, "", "not a regular file: give an exported CSV file")
        if info.st_size > max_bytes:
            raise csv_error(path, 1, "", f"the file is over {max_bytes // 1_000_000} MB")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise csv_error(path, 1, "", f"cannot read it: {exc}") from None
    reader = csv.reader(io.StringIO(text))
    try:
        return list(reader)
    except csv.Error as exc:  # a field over the csv module's limit, a NUL byte
        raise csv_error(path, reader.line_num, "", f"not a CSV file plansync can read: {exc}") from None


def csv_error(path: Path, line: int, column: str, message: str) -> ActivitiesError:
    return ActivitiesError([Problem(path, line, None, column, message)])
