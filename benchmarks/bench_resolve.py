"""Resolving 1,000-character refs against hostile globs and regexes (issue 7: bounded time).

Every pattern here made the old matchers backtrack (a ``.*`` per glob star, Python's ``re`` for
regexes): minutes or more for refs of a few dozen characters. Each ref is a near miss, the
worst case (every mapping is tried, and each one scans the whole ref before it fails).

1. One hostile mapping (then a catch-all), in process: ``resolve()`` on a loaded config.
2. The same as whole ``maturity resolve`` processes, for a few of them.
3. Files of 100 and 1,000 hostile mappings: load (with the checks ``resolve`` runs: schema,
   structure, examples; since issue 8 not ``validate``'s pairwise shadowing proof) and resolve,
   and resolve alone.

Prints min/median/max over repeated runs. Usage: python benchmarks/bench_resolve.py [--runs N]
"""

from __future__ import annotations

import argparse
import functools
import itertools
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench_common import machine, show, timed

REPO = Path(__file__).resolve().parent.parent
GATES = "{promotion_guard: off, observability_verify: off, deps_approval: off, policy_drift: off, field_budgets: off}"
REF_LENGTH = 1000
ALTERNATION = "(" + "|".join(f"a{i}" for i in range(180)) + "|a)+b"

#: (label, kind, expression, a near-miss ref of REF_LENGTH characters)
HOSTILE = [
    ("glob *a*a*a*a*a*a*a*b", "pattern", "*a*a*a*a*a*a*a*b", "a" * 999 + "c"),
    ("glob (*?)x127 then c, 255 chars", "pattern", "*?" * 127 + "c", "x" * REF_LENGTH),
    ("glob * ([!c]x63) c *, 256 chars", "pattern", "*" + "[!c]" * 63 + "c*", "a" * REF_LENGTH),
    ("glob * ([ab]*)x50 c, 252 chars", "pattern", "*" + "[ab]*" * 50 + "c", "ab" * 500),
    ("glob * ([a-z]?)x42 *c, 256 chars", "pattern", "*" + "[a-z]?" * 42 + "*c", "a" * 1000),
    ("glob * a ?x60 b *, 65 chars", "pattern", "*a" + "?" * 60 + "b*", "a" * REF_LENGTH),
    ("regex (x+x+)+y", "regex", "(x+x+)+y", "x" * REF_LENGTH),
    ("regex (a|a)*b", "regex", "(a|a)*b", "a" * REF_LENGTH),
    ("regex (a*)*b", "regex", "(a*)*b", "a" * REF_LENGTH),
    ("regex (a|aa)+b", "regex", "(a|aa)+b", "a" * REF_LENGTH),
    ("regex .*a.{20} (DFA blow-up)", "regex", ".*a.{20}", "a" + "b" * 999),
    ("regex alternation of 181, 1,000 chars", "regex", ALTERNATION, "a" * REF_LENGTH),
    ("regex (a?){1000}a{500} (size cap)", "regex", "(a?){1000}a{500}", "a" * 499 + "b" * 501),
    ("regex (a?){1000}a{500}, all a", "regex", "(a?){1000}a{500}x", "a" * REF_LENGTH),
    ("regex ([ab]?){1000}c", "regex", "([ab]?){1000}c", "ab" * 500),
]


def stages_yaml(mappings: list[tuple[str, str]]) -> str:
    lines = ["version: 1", "stages:", f"  LOW: {{gates: {GATES}}}", f"  HIGH: {{gates: {GATES}}}"]
    lines.append("mappings:")
    for kind, expression in mappings:
        quoted = expression.replace("'", "''")
        lines += [f"  - {kind}: '{quoted}'", "    stage: HIGH"]
    lines += ["  - pattern: '*'", "    stage: LOW"]
    return "\n".join(lines) + "\n"


_POOL = "0123456789%+=,_~&;:@"  # characters no ref below contains: variants stay near misses


def many_hostile(n: int) -> list[tuple[str, str]]:
    """*n* distinct hostile mappings, none shadowing another, all missing ``"a" * 1000``.

    Globs differ by a negated set of three pool characters (sets of equal size never contain
    each other, so no glob covers another); regexes by an alternative no ref has.
    """
    combos = ["".join(c) for c in itertools.combinations(_POOL, 3)]
    templates: list[Callable[[int], tuple[str, str]]] = [
        lambda i: ("pattern", "*" + f"[!c{combos[i]}]" * 30 + "c*"),
        lambda i: ("pattern", "*a*a*a*a*a*a*a*" + f"[!a{combos[i]}]" + "*"),
        lambda i: ("regex", f"(a+a+)+b|z{i}"),
        lambda i: ("regex", f"(a|aa)+b|z{i}"),
        lambda i: ("regex", f"(a?){{1000}}a{{500}}b|z{i}"),
    ]
    return [templates[i % len(templates)](i) for i in range(n)]


def show_fine(label: str, samples: list[float]) -> None:
    """Like :func:`bench_common.show`, with microseconds: most single matches take a few."""
    print(
        f"{label:<58} n={len(samples):<4} min {min(samples):8.3f} ms   "
        f"median {statistics.median(samples):8.3f} ms   max {max(samples):8.3f} ms"
    )


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

        print("\none hostile mapping + catch-all, 1,000-character near miss, resolve() only:")
        for label, kind, expression, miss in HOSTILE:
            path = ws / "one.yml"
            path.write_text(stages_yaml([(kind, expression)]))
            config = load_config_file(path, CATALOG)
            ref = parse_ref(miss)
            if resolve(config, ref).stage.name != "LOW":
                sys.exit(f"{label}: the near miss matched")
            show_fine(
                f"  {label}", timed(functools.partial(resolve, config, ref), args.runs, warmup=1)
            )

        print("\nwhole `maturity resolve` process (load, resolve's checks, resolve):")
        for label, kind, expression, miss in (HOSTILE[0], HOSTILE[2], HOSTILE[6], HOSTILE[12]):
            path = ws / f"proc-{kind}.yml"
            path.write_text(stages_yaml([(kind, expression)]))
            cmd = [sys.executable, "-m", "maturity", "resolve", "--config", str(path), miss]

            def run(cmd: list[str] = cmd) -> None:
                proc = subprocess.run(cmd, capture_output=True, check=False)
                if proc.returncode != 0:
                    sys.exit(f"unexpected exit {proc.returncode}: {proc.stderr.decode()}")

            show(f"  {label}", timed(run, max(5, args.runs // 2), warmup=1))

        for n in (100, 1000):
            print(f"\n{n:,} hostile mappings (globs and regexes mixed), near miss 'a' x 1,000:")
            path = ws / f"many-{n}.yml"
            path.write_text(stages_yaml(many_hostile(n)))
            ref = parse_ref("a" * REF_LENGTH)

            def load_and_resolve(p: Path = path, last: int = n) -> None:
                if (
                    resolve(load_config_file(p, CATALOG), parse_ref("a" * REF_LENGTH)).mapping.index
                    != last
                ):
                    sys.exit("resolved to the wrong mapping")

            show("  load + resolve's checks + resolve", timed(load_and_resolve, 3, warmup=0))
            resolve_only = functools.partial(resolve, load_config_file(path, CATALOG), ref)
            show("  resolve only", timed(resolve_only, max(5, args.runs // 2), warmup=1))


if __name__ == "__main__":
    main()
