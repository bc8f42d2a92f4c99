"""Evidence from files in the workspace, read defensively.

Paths must resolve (symlinks followed) inside the workspace; only regular files are read, so a
FIFO or device cannot hang or flood the run; size is bounded before reading.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from maturity.core import EvidenceRecord
from maturity.errors import EvidenceError
from maturity.evidence.interface import EvidenceBlob, EvidenceSource

MAX_EVIDENCE_BYTES = 2 * 1024 * 1024


class LocalFileSource(EvidenceSource):
    def __init__(self, workspace: Path, max_bytes: int = MAX_EVIDENCE_BYTES) -> None:
        self.workspace = workspace.resolve()
        self.max_bytes = max_bytes

    def display(self, path: Path) -> str:
        try:
            return path.relative_to(self.workspace).as_posix()
        except ValueError:
            return str(path)

    def read(self, locator: str) -> EvidenceBlob:
        given = Path(locator)
        candidate = given if given.is_absolute() else self.workspace / given
        shown = locator
        try:
            real = candidate.resolve(strict=False)
        except (OSError, RuntimeError) as exc:  # RuntimeError: symlink loop on older Pythons
            raise EvidenceError(
                "INVALID_EVIDENCE",
                f"evidence path {shown} cannot be resolved: {exc}",
                "fix the path",
            ) from None
        if not real.is_relative_to(self.workspace):
            raise EvidenceError(
                "EVIDENCE_OUTSIDE_WORKSPACE",
                f"evidence path {shown} resolves to {real}, outside the workspace {self.workspace}",
                "keep evidence files inside the workspace (GITHUB_WORKSPACE or --workspace); "
                "symlinks out of it are refused",
            )
        try:
            fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            raise EvidenceError(
                "MISSING_EVIDENCE",
                f"evidence file {shown} does not exist",
                "produce it in an earlier step, or point the gate at the right file",
                missing=True,
            ) from None
        except OSError as exc:
            raise EvidenceError(
                "INVALID_EVIDENCE",
                f"evidence file {shown} cannot be opened: {exc.strerror}",
                "check the path and its permissions",
            ) from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise EvidenceError(
                    "INVALID_EVIDENCE",
                    f"evidence path {shown} is not a regular file",
                    "point the gate at a JSON file",
                )
            if info.st_size > self.max_bytes:
                raise EvidenceError(
                    "EVIDENCE_TOO_LARGE",
                    f"evidence file {shown} is {info.st_size} bytes, over the {self.max_bytes}-byte limit",
                    "keep evidence files small: put bulky data elsewhere and summarise it",
                )
            with os.fdopen(fd, "rb", closefd=False) as fh:
                data = fh.read(self.max_bytes + 1)
        except OSError as exc:
            raise EvidenceError(
                "INVALID_EVIDENCE",
                f"evidence file {shown} cannot be read: {exc.strerror}",
                "check the file",
            ) from None
        finally:
            os.close(fd)
        if len(data) > self.max_bytes:
            raise EvidenceError(
                "EVIDENCE_TOO_LARGE",
                f"evidence file {shown} is over the {self.max_bytes}-byte limit",
                "keep evidence files small: put bulky data elsewhere and summarise it",
            )
        record = EvidenceRecord(
            source=self.display(real), sha256=hashlib.sha256(data).hexdigest(), size=len(data)
        )
        return EvidenceBlob(data=data, record=record)
