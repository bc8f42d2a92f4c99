"""Write a set of report files so that neither a failure nor a concurrent run leaves a mixed set.

Each file is written and fsynced under a temporary name in the target folder, then renamed over
its final name. If any temporary write fails, every temporary file is removed and no final file
is touched.

Renaming two files is two steps, so two runs writing into one folder at once could interleave
them and leave one run's JSON beside another run's Markdown. The renames of a set of files are
therefore done under an exclusive ``flock`` on a lock file in the folder
(:data:`LOCK_NAME`); whichever run takes the lock last leaves both of its files. The files of
a set may lie in different folders (``evaluate --output-json``/``--output-md``): the renames
are then done under the lock of every folder involved, taken in one order (sorted real paths)
by every run, so two runs never wait for each other's second lock.

Writing is two steps (:func:`staged_files`, then :meth:`StagedFiles.commit`) so that a caller
can do its own last step between them (``evaluate`` appends the audit line there): every file
has then been written in full, under its temporary name, before anything is recorded or
replaced.

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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
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


def check_file_target(path: Path, flag: str) -> None:
    """Raise ``OutputError`` if the file *path* (given as *flag*) cannot be one: it is a folder,
    or its folder is a file or lies under one. Creates nothing, like :func:`check_output_folder`."""
    if path.is_dir():
        raise OutputError(f"{flag} {path} is a folder", f"give {flag} the path of a file")
    culprit = not_a_folder(path.parent)
    if culprit is not None:
        raise OutputError(
            f"{flag} {path} cannot be written: {culprit} is {describe(culprit)}",
            f"pass a {flag} whose folders are folders, or move {culprit} away",
        )


@dataclass(frozen=True)
class Target:
    """One file of a set: its final path, its text, and the option that named its folder."""

    path: Path
    text: str
    flag: str = "--output-dir"


def check_distinct(targets: Sequence[Target]) -> None:
    """Raise ``OutputError`` if two of *targets* are one file, compared by real path (``./r``
    and ``r``, or a folder reached through a symlink, are the same file)."""
    seen: dict[str, Target] = {}
    for target in targets:
        first = seen.setdefault(os.path.realpath(target.path), target)
        if first is not target:
            raise OutputError(
                f"both reports would be written to {target.path} ({first.flag}, {target.flag})",
                "give the JSON and the Markdown report paths of their own",
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
    targets = [Target(directory / name, text, flag) for name, text in files.items()]
    with staged_files(targets, lock_wait=lock_wait) as staged:
        return staged.commit()


def write_file(path: Path, text: str, *, flag: str, display: str, fix: str) -> None:
    """Write one file (``init``'s stages file, ``migrate``'s output) atomically; a failure is
    ``OutputError("cannot write DISPLAY: why", fix)``, *display* being the path as given."""
    try:
        write_atomically(path.parent, {path.name: text}, flag=flag)
    except OutputError as exc:
        raise OutputError(
            f"cannot write {display}: {exc.message.partition(': ')[2] or exc.message}", fix
        ) from None


class StagedFiles:
    """A set of files written under temporary names beside their final ones; :meth:`commit`
    renames them all into place (under the lock of every folder involved)."""

    def __init__(self, staged: list[tuple[str, Target]], lock_wait: float) -> None:
        self._staged = staged
        self._lock_wait = lock_wait
        self.committed = False

    def commit(self) -> list[Path]:
        """Rename every file into place; return the final paths, in the order given."""
        # each folder once (a folder reached through a symlink too: two flocks on one file from
        # one process would wait for each other), in one order for every run: no deadlock
        folders = {t.path.parent.resolve(): t for _, t in self._staged}
        needed = len(self._staged) > 1
        try:
            with contextlib.ExitStack() as locks:
                for folder in sorted(folders):
                    flag = folders[folder].flag
                    locks.enter_context(
                        _renames_locked(folders[folder].path.parent, needed, self._lock_wait, flag)
                    )
                for tmp, target in self._staged:
                    os.replace(tmp, target.path)
        except OSError as exc:
            first = self._staged[0][1]
            raise OutputError(
                f"cannot write reports to {first.path.parent}: {exc.strerror or exc}",
                f"check free space and permissions of {first.flag}",
            ) from None
        self.committed = True
        return [target.path for _, target in self._staged]


@contextlib.contextmanager
def staged_files(
    targets: Sequence[Target], *, lock_wait: float = LOCK_WAIT_SECONDS
) -> Iterator[StagedFiles]:
    """Check every target's folder (creating it), write each file under a temporary name, and
    yield the set; leaving without :meth:`StagedFiles.commit` (an error, an interrupt) removes
    the temporary files and the folders this created, so nothing is left behind.

    Every place is written to before any final name is touched: a set that cannot be written
    whole fails here, with nothing replaced.
    """
    check_distinct(targets)
    created: list[Path] = []
    staged: list[tuple[str, Target]] = []
    result = StagedFiles(staged, lock_wait)
    try:
        for target in targets:
            _prepare_folder(target, created)
        for target in targets:
            folder = target.path.parent
            try:
                fd, tmp = tempfile.mkstemp(
                    prefix=f".{target.path.name}.", suffix=".tmp", dir=folder
                )
                staged.append((tmp, target))
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(target.text)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.chmod(tmp, 0o644)
            except (OSError, UnicodeError) as exc:  # UnicodeError: text UTF-8 cannot encode
                raise OutputError(
                    f"cannot write reports to {folder}: {getattr(exc, 'strerror', None) or exc}",
                    f"check free space and permissions of {target.flag}",
                ) from None
        yield result
    finally:
        if not result.committed:
            for tmp, _ in staged:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
            for folder in reversed(created):  # deepest first; one another run filled stays
                with contextlib.suppress(OSError):
                    folder.rmdir()


def _prepare_folder(target: Target, created: list[Path]) -> None:
    """Create *target*'s folder (noting each folder made, outermost first); refuse a final name
    that is a folder."""
    directory, flag = target.path.parent, target.flag
    check_output_folder(directory, flag)
    missing = [p for p in (directory, *directory.parents) if not p.exists()]
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the output folder {directory}: {exc.strerror}",
            f"pass a writable {flag}",
        ) from None
    created.extend(p for p in reversed(missing) if p not in created)
    if target.path.is_dir():
        raise OutputError(f"{target.path} is a folder", f"remove it or pass another {flag}")


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
