"""Write a set of report files so that neither a failure nor a concurrent run leaves a mixed set.

Each file is written and fsynced under a temporary name in the target folder, then renamed over
its final name. If any temporary write fails, every temporary file is removed and no final file
is touched.

Renaming two files is two steps, so two runs writing into one folder at once could interleave
them and leave one run's JSON beside another run's Markdown. The renames of a set of files are
therefore done under an exclusive ``flock`` on a lock file in the folder
(:data:`LOCK_NAME`); whichever run takes the lock last leaves both of its files.

Why a lock rather than "write the pair into a fresh folder and swap it in": the reports live at
fixed names inside a folder the user names (``--output-dir``), often beside other files. POSIX
cannot rename a folder over a non-empty one; swapping needs Linux-only ``renameat2`` with
``RENAME_EXCHANGE``, or turning the user's folder into a symlink to a versioned folder, which
changes what the user and their upload steps see. A lock keeps the folder as it is and adds one
small hidden file. It is held only around the renames (microseconds), so waiting for it is
bounded (:data:`LOCK_WAIT_SECONDS`); a folder whose lock cannot be had in that time is an
``OutputError`` and nothing is replaced. A single file needs no lock: one rename is atomic by
itself (so ``init`` leaves no lock file beside the stages file).

What the lock does not cover: a run killed between its two renames (SIGKILL, power loss) can
still leave a mixed pair, and a reader that opens the files while a run renames them may read
across two runs; readers that care can take the same lock (shared) around their reads.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from maturity.errors import OutputError

#: the lock file taken around the renames of a set of files (never deleted: deleting a lock
#: file that another run may have just opened would let two runs hold "the" lock at once)
LOCK_NAME = ".maturity-eval.lock"
#: how long to wait for another run's renames; they take microseconds, so this is generous
LOCK_WAIT_SECONDS = 10.0
_LOCK_POLL_SECONDS = 0.005


def not_a_folder(directory: Path) -> Path | None:
    """The part of *directory*'s path that exists but is not a folder (itself or a parent), or None.

    Creates nothing: cheap enough to run before a long evaluation, so a wrong path fails at once.
    """
    for part in (directory, *directory.parents):
        if part.is_dir():
            return None
        if part.exists() or part.is_symlink():
            # is_dir again: another run may have created the folder since the first look
            return None if part.is_dir() else part
    return None


def describe(path: Path) -> str:
    """``a file, not a folder`` or ``not a folder`` (a device, a pipe, a broken link)."""
    return "a file, not a folder" if path.is_file() else "not a folder"


def check_output_folder(directory: Path, flag: str = "--output-dir") -> None:
    """Raise ``OutputError`` if *directory* (given as *flag*) is a file or lies under one."""
    culprit = not_a_folder(directory)
    if culprit is None:
        return
    if culprit == directory:
        raise OutputError(
            f"{flag} {directory} is {describe(culprit)}",
            f"pass a folder as {flag} (it is created if missing), or move {directory} away",
        )
    raise OutputError(
        f"{flag} {directory} cannot be created: {culprit} is {describe(culprit)}",
        f"pass a {flag} whose parents are folders, or move {culprit} away",
    )


def write_atomically(
    directory: Path,
    files: dict[str, str],
    *,
    flag: str = "--output-dir",
    lock_wait: float = LOCK_WAIT_SECONDS,
) -> list[Path]:
    """Write *files* (name to text) into *directory*, all or nothing; return the final paths.

    *flag* names the option the folder came from, for messages.
    """
    check_output_folder(directory, flag)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the output folder {directory}: {exc.strerror}",
            f"pass a writable {flag}",
        ) from None
    for name in files:
        if (directory / name).is_dir():
            raise OutputError(
                f"{directory / name} is a folder", f"remove it or pass another {flag}"
            )
    staged: list[tuple[str, Path]] = []
    done = False
    try:
        for name, text in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
            staged.append((tmp, directory / name))
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
        with _renames_locked(directory, len(staged) > 1, lock_wait, flag):
            for tmp, final in staged:
                os.replace(tmp, final)
        done = True
    except (OSError, UnicodeError) as exc:  # UnicodeError: text the UTF-8 codec cannot encode
        raise OutputError(
            f"cannot write reports to {directory}: {getattr(exc, 'strerror', None) or exc}",
            f"check free space and permissions of {flag}",
        ) from None
    finally:
        if not done:  # an error, or an interrupt: no temporary file stays behind
            for tmp, _ in staged:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
    return [final for _, final in staged]


@contextlib.contextmanager
def _renames_locked(directory: Path, needed: bool, wait: float, flag: str) -> Iterator[None]:
    """Hold an exclusive ``flock`` on the folder's lock file (when *needed*), waiting at most *wait* s."""
    if not needed:
        yield
        return
    path = directory / LOCK_NAME
    # O_NOFOLLOW: a symlink planted under the lock's name must not make us create a file elsewhere
    flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        why = "it is a symlink" if exc.errno == errno.ELOOP else exc.strerror
        raise OutputError(
            f"cannot open the lock file {path}: {why}",
            f"remove {path} (maturity creates it as a plain file), or pass another {flag}",
        ) from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise OutputError(
                        f"another run kept the lock {path} for over {wait:g} s, so the reports "
                        f"in {directory} were not replaced",
                        f"run again when the other run has finished, or give each run its own {flag}",
                    ) from None
                time.sleep(_LOCK_POLL_SECONDS)
        yield  # the lock goes with the file descriptor, closed below
    finally:
        os.close(fd)
