"""What the strict JSON reader costs over Python's own ``json.loads``, and its error path.

Inputs are built from GitHub's OpenAPI examples (tests/github_bodies.py):

1. one check-runs page of 100 runs (what every API answer of a big commit is);
2. a saved checks file of 250 such pages (about 55 MiB) back to back (``gh api --paginate``),
   read with ``load_documents`` (the checks-file limit is 64 MiB);
3. that file with a duplicate key in its very last run: the slow path that finds the position
   must stay linear (clean values are stepped over by the C scanner);
4. that file with an array nested 65 deep at its end, and with a lone surrogate at its end;
5. worst shapes for locating: the pages inside 20 nested arrays, a duplicate key at the very
   end; and 800 arrays nested 60 deep, each holding 33,000 integers, a duplicate key at the end.

Prints min/median/max over repeated runs.
Usage: python benchmarks/bench_strict_json.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from bench_common import machine, show, timed

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 64 * 1024 * 1024
PAGES = 250  # of 100 runs each: about 55 MiB, under the checks-file limit


def main() -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    from github_bodies import check_run

    from maturity.strict_json import StrictJsonError, load_documents, loads

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs

    page = json.dumps(
        {"total_count": 100, "check_runs": [check_run(i, f"job {i}") for i in range(1, 101)]}
    )
    page_bytes = page.encode()
    many = "\n".join([page] * PAGES)
    many_bytes = many.encode()
    duplicate = (many[:-3] + ', "id": 1' + many[-3:]).encode()  # the last run's "id" again
    deep = (many + "\n" + "[" * 65 + "]" * 65).encode()
    surrogate = (many + '\n["\\ud800"]').encode()

    def refused(data: bytes) -> Callable[[], object]:
        def read() -> object:
            try:
                list(load_documents(data, max_bytes=LIMIT))
            except StrictJsonError as error:
                return error
            raise AssertionError("not refused")

        return read

    print(machine())
    print(f"page: {len(page_bytes) / 1024:.0f} KiB; file: {len(many_bytes) / 2**20:.1f} MiB")
    show("one page, json.loads (for scale)", timed(lambda: json.loads(page_bytes), runs, warmup=0))
    show(
        "one page, strict loads", timed(lambda: loads(page_bytes, max_bytes=LIMIT), runs, warmup=0)
    )
    decoder = json.JSONDecoder()

    def plain_documents() -> list[object]:
        docs, pos = [], 0
        while pos < len(many):
            value, pos = decoder.raw_decode(many, pos)
            docs.append(value)
            pos += 1
        return docs

    show("250 pages, json raw_decode loop (for scale)", timed(plain_documents, runs, warmup=0))
    show(
        "250 pages, strict load_documents",
        timed(lambda: list(load_documents(many_bytes, max_bytes=LIMIT)), runs, warmup=0),
    )
    show(
        "250 pages, duplicate key in the last run",
        timed(refused(duplicate), max(3, runs // 4), warmup=0),
    )
    show("250 pages, then 65-deep nesting", timed(refused(deep), max(3, runs // 4), warmup=0))
    show("250 pages, then a lone surrogate", timed(refused(surrogate), max(3, runs // 4), warmup=0))
    nested = ("[" * 20 + ",".join([page] * PAGES) + ', {"a": 1, "a": 2}' + "]" * 20).encode()
    show("250 pages 20 deep, duplicate key at the end", timed(refused(nested), 3, warmup=0))
    chain = "[" * 60 + "1," * 33000 + "1" + "]" * 60
    chains = ("[" + ",".join([chain] * 800) + ', {"a": 1, "a": 2}]').encode()
    show(
        "800 chains 60 deep of 33,000 integers, duplicate at the end",
        timed(refused(chains), 3, warmup=0),
    )


if __name__ == "__main__":
    main()
