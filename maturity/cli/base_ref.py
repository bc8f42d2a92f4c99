"""``validate --base-ref REF``: the previous version of a file, read from git.

``git show REF:./PATH`` (the path taken from the current directory, as every other path of
``validate``), with a timeout and a size bound. A ref git does not know is a usage error
(exit 2): a pull-request check must not pass quietly because the base was never fetched. A file
the ref does not have is a new file, which is not an error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from maturity.errors import UsageError
from maturity.text import clean_text

GIT_TIMEOUT_S = 30.0
MAX_FILE_BYTES = 4 * 1024 * 1024

_FETCH_HINT = (
    "fetch the base first (actions/checkout with fetch-depth: 0, or "
    "`git fetch origin main`), and pass a ref git knows, e.g. --base-ref origin/main"
)


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    git = shutil.which("git")
    if git is None:
        raise UsageError("--base-ref needs git, and git is not on PATH", "install git")
    try:
        return subprocess.run(  # noqa: S603 - fixed program, arguments are not a shell line
            [git, *args],
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"},
        )
    except subprocess.TimeoutExpired:
        raise UsageError(
            f"git did not answer within {GIT_TIMEOUT_S:.0f}s", "run again; check the repository"
        ) from None


def check_ref(ref: str) -> None:
    """*ref* names a commit git has, or a usage error that says how to fetch it."""
    shown = clean_text(ref, 100)
    if not ref or ref.startswith("-"):
        raise UsageError(f"--base-ref {shown!r} is not a ref", _FETCH_HINT)
    result = _git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if result.returncode != 0:
        raise UsageError(f"--base-ref {shown}: git does not know this ref here", _FETCH_HINT)


def file_at(ref: str, path: str) -> bytes | None:
    """The bytes of *path* (relative to the current directory) at *ref*; None when the ref does
    not have the file."""
    relative = os.path.relpath(Path(path).absolute(), Path.cwd())
    if relative.startswith(".."):
        raise UsageError(
            f"--base-ref: {clean_text(path, 200)} is outside the current directory",
            "run validate from the repository, with the file's path inside it",
        )
    spec = f"{ref}:./{Path(relative).as_posix()}"
    exists = _git("cat-file", "-e", "--end-of-options", spec)
    if exists.returncode != 0:
        return None
    size = _git("cat-file", "-s", "--end-of-options", spec)
    if size.returncode == 0 and int(size.stdout.strip() or b"0") > MAX_FILE_BYTES:
        raise UsageError(
            f"--base-ref: {clean_text(spec, 200)} is larger than {MAX_FILE_BYTES} bytes",
            "this is not a stages or waivers file; check the path",
        )
    result = _git("cat-file", "blob", "--end-of-options", spec)
    if result.returncode != 0:
        message = clean_text(result.stderr.decode("utf-8", "replace"), 200)
        raise UsageError(f"git could not read {clean_text(spec, 200)}: {message}", _FETCH_HINT)
    return result.stdout
