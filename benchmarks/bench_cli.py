"""Wall time of the CLI, as a user sees it.

1. A whole ``maturity evaluate`` process on the example evidence (GA tag, every gate passing).
2. Resolving a ref against a stages file of 1,000 mappings where only the last one matches:
   in-process (load with the checks ``resolve`` runs, then resolve) and as a whole
   ``maturity resolve`` process.

Prints min/median/max over repeated runs. Usage: python benchmarks/bench_cli.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_common import GATES, REPO, machine, show, timed


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}


def many_mappings_yaml(n: int) -> str:
    gates = "\n".join(f"      {g}: required" for g in GATES)
    lines = ["version: 1", "stages:", "  L1:", "    gates:", gates, "mappings:"]
    for i in range(n - 1):
        if i % 2:
            lines += [f"  - pattern: 'team-{i}/*'", "    stage: L1"]
        else:
            lines += [f"  - regex: 'svc-{i}-v[0-9]+'", "    stage: L1"]
    lines += ["  - pattern: '*'", "    stage: L1"]
    return "\n".join(lines) + "\n"


def run(cmd: list[str], cwd: Path, expect: int) -> None:
    proc = subprocess.run(cmd, cwd=cwd, env=clean_env(), capture_output=True, check=False)
    if proc.returncode != expect:
        sys.exit(f"unexpected exit {proc.returncode}: {proc.stderr.decode()}")


def main() -> None:
    sys.path.insert(0, str(REPO))
    from maturity.config.load import load_config_file
    from maturity.config.resolver import resolve
    from maturity.kinds import CATALOG
    from maturity.refs import parse_ref

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print(f"machine: {machine()}")

    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        shutil.copytree(REPO / "examples" / "evidence", ws / "evidence")
        evaluate = [
            sys.executable, "-m", "maturity", "evaluate", "--builtin-config", "--tag", "v1.2.3",
            "--evidence-dir", "evidence/ga-pass", "--output-dir", "out",
        ]  # fmt: skip
        show(
            "evaluate, whole process (GA, 5 gates, example evidence)",
            timed(lambda: run(evaluate, ws, 0), args.runs),
        )
        show(
            "python -c pass (interpreter start-up, for scale)",
            timed(lambda: run([sys.executable, "-c", "pass"], ws, 0), args.runs),
        )

        big = ws / "big.yml"
        big.write_text(many_mappings_yaml(1000))
        ref = parse_ref("refs/heads/no-such-team/x")

        def in_process() -> None:
            res = resolve(load_config_file(big, CATALOG), ref)
            if res.mapping.index != 999:
                sys.exit(f"resolved to the wrong mapping: {res.mapping.label}")

        show(
            "resolve vs 1,000 mappings, in process (load+checks+resolve)",
            timed(in_process, args.runs),
        )
        config = load_config_file(big, CATALOG)

        def resolve_only() -> None:
            resolve(config, ref)

        show("resolve vs 1,000 mappings, in process (resolve only)", timed(resolve_only, args.runs))
        cmd = [sys.executable, "-m", "maturity", "resolve", "no-such-team/x", "--config", str(big)]
        show("resolve vs 1,000 mappings, whole process", timed(lambda: run(cmd, ws, 0), args.runs))


if __name__ == "__main__":
    main()
