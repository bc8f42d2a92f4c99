"""Reading a user-named file without hanging on a FIFO or device, and without reading too much.

``O_NONBLOCK`` makes opening a FIFO return at once; the regular-file check then refuses it (and
devices, folders, sockets); at most ``limit + 1`` bytes are read, so an oversized file is told
apart from one exactly at the limit. Callers turn the exceptions into their own errors.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class NotRegularFileError(Exception):
    """The path names a FIFO, device, folder or socket."""


class FileTooLargeError(Exception):
    """The file holds more than the limit."""


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of *path*, at most *limit* of them.

    Raises ``FileNotFoundError`` or another ``OSError`` as ``open``/``read`` do, plus
    :class:`NotRegularFileError` and :class:`FileTooLargeError`.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise NotRegularFileError(str(path))
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLargeError(str(path))
    return data
