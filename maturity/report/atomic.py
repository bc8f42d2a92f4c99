"""Write a set of report files so that a failure leaves no partial file behind.

Each file is written and fsynced under a temporary name in the target folder, then renamed
over the final name. If any temporary write fails, every temporary file is removed and no
final file is touched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from maturity.errors import OutputError


def write_atomically(directory: Path, files: dict[str, str]) -> list[Path]:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the output folder {directory}: {exc.strerror}",
            "pass a writable --output-dir",
        ) from None
    for name in files:
        if (directory / name).is_dir():
            raise OutputError(
                f"{directory / name} is a folder", "remove it or pass another --output-dir"
            )
    staged: list[tuple[str, Path]] = []
    try:
        for name, text in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
            staged.append((tmp, directory / name))
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
        for tmp, final in staged:
            os.replace(tmp, final)
    except (OSError, UnicodeError) as exc:  # UnicodeError: text the UTF-8 codec cannot encode
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise OutputError(
            f"cannot write reports to {directory}: {getattr(exc, 'strerror', None) or exc}",
            "check free space and permissions of --output-dir",
        ) from None
    return [final for _, final in staged]
