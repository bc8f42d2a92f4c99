"""What checking and growing a long audit log costs.

A log of 100,000 entries shaped as ``evaluate --audit-log`` writes them (tests/audit_entries.py:
a tenth with a break-glass override, a seventh with a waiver, some refusals; about 1.3 KiB a
line) is built in a temporary folder, its chain computed as ``append_entry`` computes it. Then:

1. ``verify_log`` on it, in process (the target: under 1 s);
2. the same with one line removed near its end (the second pass that diagnoses it);
3. peak memory of one ``verify_log`` (tracemalloc; timed apart, as tracing slows it);
4. ``append_entry`` to the 100,000-line log (lock, read the last line, write, fsync);
5. ``maturity audit verify`` and ``maturity audit show`` as whole processes;
6. reading and rendering the text table in process (``iter_log`` + ``iter_render``).

Prints min/median/max over repeated runs.
Usage: python benchmarks/bench_audit_verify.py [--lines N] [--runs N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

from bench_common import machine, show, timed

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    from audit_entries import sample_entry

    from maturity.audit.chain import GENESIS, append_entry, encode_line, line_digest
    from maturity.audit.show import LoggedEntry, iter_log, iter_render
    from maturity.audit.verify import verify_log

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    count, runs = args.lines, args.runs

    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "audit.jsonl"
        lines, prev = [], GENESIS
        for i in range(count):
            line = encode_line(sample_entry(i), i + 1, prev)
            lines.append(line)
            prev = line_digest(line)
        data = b"".join(line + b"\n" for line in lines)
        log.write_bytes(data)
        broken = Path(folder) / "broken.jsonl"
        gone = count - 10
        broken.write_bytes(b"".join(line + b"\n" for j, line in enumerate(lines) if j != gone))
        del lines

        print(machine())
        print(
            f"log: {count:,} lines, {len(data) / 2**20:.1f} MiB ({len(data) / count:.0f} bytes a line)"
        )
        result = verify_log(log)
        if not result.ok or result.lines != count:
            raise AssertionError(f"the built log does not hold: {result}")
        show(
            f"verify_log, {count:,} lines, chain holds",
            timed(lambda: verify_log(log), runs, warmup=1),
        )
        found = verify_log(broken)
        if found.problem is None or found.problem.line != gone + 1:
            raise AssertionError(f"the removed line was not found: {found}")
        show(
            f"verify_log, line {gone + 1:,} removed (diagnosed)",
            timed(lambda: verify_log(broken), max(3, runs // 2), warmup=0),
        )

        tracemalloc.start()
        verify_log(log)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"{'verify_log peak memory (tracemalloc)':<58} {peak / 2**20:.2f} MiB")

        grown = Path(folder) / "grown.jsonl"
        grown.write_bytes(data)
        appended = iter(range(count, count + 10 * runs + 10))
        show(
            f"append_entry to a {count:,}-line log (with fsync)",
            timed(lambda: append_entry(grown, sample_entry(next(appended))), 5 * runs, warmup=2),
        )
        if not verify_log(grown).ok:
            raise AssertionError("the grown log does not hold")

        for action in ("verify", "show"):

            def command(action: str = action) -> None:
                subprocess.run(
                    [sys.executable, "-m", "maturity", "audit", action, str(log)],
                    cwd=ROOT,
                    check=True,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )

            show(
                f"`maturity audit {action}`, whole process",
                timed(command, max(3, runs // 2), warmup=1),
            )

        def show_text() -> None:
            entries = (e for e in iter_log(log) if isinstance(e, LoggedEntry))
            for _ in iter_render(entries, "text"):
                pass

        show(
            "iter_log + iter_render (text), in process",
            timed(show_text, max(3, runs // 2), warmup=0),
        )


if __name__ == "__main__":
    main()
