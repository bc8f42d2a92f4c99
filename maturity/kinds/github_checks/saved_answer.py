"""``--checks-file``: a saved answer of the check-runs and status endpoints, read offline.

The file holds the JSON GitHub answered, as ``gh api`` prints it: one or more pages of
``/commits/{sha}/check-runs`` and of ``/commits/{sha}/status``, one after another
(``gh api --paginate`` concatenates pages) or as arrays of pages (``gh api --paginate --slurp``),
in any order. Both listings must be present: a file without statuses could hide a failing one.
The file is read by the one strict JSON reader (``maturity.strict_json``): UTF-8 without a BOM,
no duplicate keys at any level (a second ``check_runs`` or ``conclusion`` would silently win).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from maturity import strict_json
from maturity.bounded_read import FileTooLargeError, NotRegularFileError, read_regular_file
from maturity.core import EvidenceRecord
from maturity.errors import EvidenceError
from maturity.kinds.github_checks.answers import CheckRunsPage, CombinedStatusPage, parse_answer
from maturity.kinds.github_checks.model import CommitChecks, assemble
from maturity.text import clean_text

MAX_CHECKS_FILE_BYTES = 64 * 1024 * 1024
MAX_DOCUMENTS = 1000

HOW_TO_SAVE = (
    "save both answers with the GitHub CLI: "
    "`gh api --paginate 'repos/OWNER/REPO/commits/SHA/check-runs?per_page=100' > checks.json` "
    "then `gh api --paginate 'repos/OWNER/REPO/commits/SHA/status?per_page=100' >> checks.json`"
)


def _read_bytes(path: Path, shown: str) -> bytes:
    try:
        return read_regular_file(path, MAX_CHECKS_FILE_BYTES)
    except FileNotFoundError:
        raise EvidenceError(
            "MISSING_EVIDENCE", f"checks file {shown} does not exist", HOW_TO_SAVE, missing=True
        ) from None
    except OSError as exc:
        raise EvidenceError(
            "INVALID_EVIDENCE", f"checks file {shown} cannot be read: {exc.strerror}", HOW_TO_SAVE
        ) from None
    except NotRegularFileError:
        raise EvidenceError(
            "INVALID_EVIDENCE", f"checks file {shown} is not a regular file", HOW_TO_SAVE
        ) from None
    except FileTooLargeError:
        raise EvidenceError(
            "EVIDENCE_TOO_LARGE",
            f"checks file {shown} is larger than {MAX_CHECKS_FILE_BYTES // (1024 * 1024)} MiB",
            "save only the check-runs and status answers of the one commit",
        ) from None


def _documents(data: bytes, shown: str) -> list[Any]:
    """Every JSON value in *data*: one, several back to back, arrays of pages flattened."""
    docs: list[Any] = []
    try:
        for value in strict_json.load_documents(data, max_bytes=MAX_CHECKS_FILE_BYTES):
            docs.extend(value if isinstance(value, list) else [value])
            if len(docs) > MAX_DOCUMENTS:
                raise EvidenceError(
                    "INVALID_EVIDENCE",
                    f"checks file {shown} holds more than {MAX_DOCUMENTS} pages",
                    HOW_TO_SAVE,
                )
    except strict_json.StrictJsonError as exc:
        raise EvidenceError(
            "INVALID_EVIDENCE", clean_text(exc.about(f"checks file {shown}"), 400), HOW_TO_SAVE
        ) from None
    return docs


def read_checks_file(
    path: Path, shown: str, sha: str | None
) -> tuple[CommitChecks, EvidenceRecord]:
    """The checks saved in *path*; *sha*, when known, must be the commit they are for."""
    data = _read_bytes(path, shown)
    run_pages: list[CheckRunsPage] = []
    status_pages: list[CombinedStatusPage] = []
    for number, doc in enumerate(_documents(data, shown), start=1):
        where = f"checks file {shown}, page {number}"
        if isinstance(doc, dict) and "check_runs" in doc:
            run_pages.append(parse_answer(CheckRunsPage, doc, where))
        elif isinstance(doc, dict) and "statuses" in doc:
            status_pages.append(parse_answer(CombinedStatusPage, doc, where))
        else:
            raise EvidenceError(
                "INVALID_EVIDENCE",
                f"{where} is neither a check-runs answer (with check_runs) nor a combined "
                "status answer (with statuses)",
                HOW_TO_SAVE,
            )
    if not run_pages or not status_pages:
        absent = "check runs" if not run_pages else "statuses"
        raise EvidenceError(
            "INVALID_EVIDENCE",
            f"checks file {shown} holds no {absent}: both answers are needed to judge a commit",
            HOW_TO_SAVE,
        )
    file_sha = status_pages[0].sha
    if sha is not None and file_sha != sha:
        raise EvidenceError(
            "WRONG_COMMIT",
            f"checks file {shown} holds the checks of {file_sha}, not of the commit being "
            f"judged ({sha})",
            "save the checks of the commit being released, or pass its --sha",
        )
    checks = assemble(file_sha, run_pages, status_pages, f"checks file {shown}")
    record = EvidenceRecord(
        source=shown, sha256=hashlib.sha256(data).hexdigest(), size=len(data), kind="checks-file"
    )
    return checks, record
