"""The fast path of ``evaluate`` and the models agree on the waivers file.

``fast_check.trusted_waivers`` reads a document without pydantic and may decline it (None);
when it does not, it must give exactly what the models give (``parse_waivers``), down to each
waiver's ``where``. On a valid document it must not decline, or ``evaluate`` would pay for
pydantic after all; and then pydantic is not even imported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from helpers import run_importtime
from hypothesis import event, given, settings
from hypothesis import strategies as st

from maturity.config.glob import GlobError, parse_glob
from maturity.config.models import GATE_NAME_PATTERN
from maturity.config.yaml_loader import LoadedYaml, Loc, Position, load_yaml_file
from maturity.errors import ConfigError
from maturity.waivers.fast_check import GATE_NAME_PATTERN as FAST_GATE_NAME_PATTERN
from maturity.waivers.fast_check import trusted_waivers
from maturity.waivers.load import load_waivers_file, parse_waivers
from maturity.waivers.types import WaiverSet

SOURCE = "ci/maturity-waivers.yml"
RAW = b"the file's bytes"
SHA = hashlib.sha256(RAW).hexdigest()
DIGEST = hashlib.sha256(b"evidence").hexdigest()
VALID_ENTRY = {
    "gate": "promotion_guard",
    "finding": "check:e2e@*",
    "owner": "alice",
    "reason": "INC-123: e2e flaky on the new runners",
    "expires": "2026-12-15",
}


def is_glob(text: str) -> bool:
    try:
        parse_glob(text)
    except GlobError:
        return False
    return True


def nonblank(text: str) -> bool:
    return len(text.strip()) >= 10


JUNK = (
    st.none()
    | st.booleans()
    | st.integers(-2, 2)
    | st.floats(allow_nan=False)
    | st.text(max_size=4)
    | st.lists(st.text(max_size=2), max_size=2)
    | st.dictionaries(st.text(max_size=2), st.integers(), max_size=1)
    | st.dates()
    | st.datetimes()
)

GOOD: dict[str, st.SearchStrategy[Any]] = {
    "gate": st.from_regex(r"[a-z][a-z0-9_]{0,63}", fullmatch=True).filter(lambda g: g != "freeze")
    | st.sampled_from(["promotion_guard", "g", "a" * 64, "freezer", "freeze_"]),
    "finding": st.text(min_size=1, max_size=40).filter(is_glob)
    | st.sampled_from(["check:e2e@*", "evidence:dist/*.json", "x" * 256, "[!a-c]?*", "a\nb"]),
    "owner": st.from_regex(
        r"[A-Za-z0-9][A-Za-z0-9-]{0,38}(/[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?", fullmatch=True
    )
    | st.sampled_from(["alice", "a" * 39, "octo-org/release-team", "o/" + "t" * 100]),
    "reason": st.text(min_size=10, max_size=500).filter(nonblank)
    | st.sampled_from(
        ["x" * 10, "x" * 500, "\n  INC-1: ok, fixed Monday  \n", " " * 50 + "y" * 10]
    ),
    "expires": st.dates()
    | st.dates().map(dt.date.isoformat)
    | st.sampled_from(["2024-02-29", "0001-01-01", "9999-12-31"]),
    "evidence_sha256": st.from_regex(r"[0-9a-f]{64}", fullmatch=True) | st.just(DIGEST),
}


#: near misses of each field: edge lengths, a stray newline, a wrong type YAML gives, ...
NEAR_MISSES: dict[str, tuple[object, ...]] = {
    "gate": ("freeze", "Freeze", "a" * 65, "", "1abc", "g\n", "gate-x", " g", "é", 1),
    "finding": ("", "[", "[]", "a[b", "x" * 257, "check:[e2e@*", "[z-a]", 7, None),
    "owner": (
        "-alice",
        "",
        "a" * 40,
        "org/",
        "org/team/x",
        "al ice",
        "alice\n",
        "o/" + "t" * 101,
        "_a",
    ),
    "reason": (
        "",
        "x" * 9,
        " " * 10 + "x" * 9,
        "x" * 501,
        "\u3000" * 20 + "x",
        "\t" * 30,
        "y" * 9 + "\n",
    ),
    "expires": (
        "2026-02-30",
        "2025-02-29",
        "2026-13-01",
        "2026-2-3",
        "2026-12-15T00:00:00Z",
        "2026-12-15 ",
        "20261215",
        "\uff12026-01-01",
        "0000-01-01",
        "2026-12-15\n",
        "15.12.2026",
        20261215,
        True,
        None,
        dt.datetime(2026, 12, 15),
        dt.datetime(2026, 12, 15, tzinfo=dt.UTC),
    ),
    "evidence_sha256": (
        DIGEST.upper(),
        "",
        DIGEST[:63],
        DIGEST + "0",
        "g" * 64,
        DIGEST + "\n",
        0,
        None,
        True,
    ),
}


def subtly_wrong(values: tuple[object, ...]) -> st.SearchStrategy[Any]:
    """One of *values* three times in four; else any wrong type."""
    return st.integers(0, 3).flatmap(lambda i: st.sampled_from(values) if i else JUNK)


BAD = {key: subtly_wrong(values) for key, values in NEAR_MISSES.items()}
REQUIRED = ("gate", "finding", "owner", "reason", "expires")


EXTRA_KEYS = ("ownr", "Gate", "freeze", "expiry", "note", "")
#: what may be wrong with one entry: a field (bad or missing), an extra key, the entry itself
ENTRY_FAULTS = (
    *(("bad", key) for key in GOOD),
    *(("missing", key) for key in REQUIRED),
    ("null", "evidence_sha256"),  # `evidence_sha256:` with nothing after it: refused
    ("extra", ""),
    ("not a mapping", ""),
)
TOP_FAULTS = ("version", "waivers", "missing", "extra", "not a mapping")


@st.composite
def valid_entries(draw: st.DrawFn) -> dict[str, Any]:
    out = {key: draw(GOOD[key]) for key in REQUIRED}
    if draw(st.booleans()):
        out["evidence_sha256"] = draw(GOOD["evidence_sha256"])
    return out


def break_entry(draw: st.DrawFn, items: list[Any]) -> None:
    index = draw(st.integers(0, len(items) - 1))
    entry = items[index]
    fault, key = draw(st.sampled_from(ENTRY_FAULTS))
    if not isinstance(entry, dict):
        return
    if fault == "bad":
        entry[key] = draw(BAD[key])
    elif fault == "missing":
        entry.pop(key, None)
    elif fault == "null":
        entry[key] = None
    elif fault == "extra":
        entry[draw(st.sampled_from(EXTRA_KEYS))] = draw(JUNK)
    else:
        items[index] = draw(JUNK)


def break_top(draw: st.DrawFn, data: Any, items: list[Any]) -> Any:
    fault = draw(st.sampled_from(TOP_FAULTS))
    if not isinstance(data, dict):
        return data
    if fault == "version":
        data["version"] = draw(st.sampled_from([True, False, 1.0, "1", 2, 0, None]) | JUNK)
    elif fault == "waivers":
        data["waivers"] = draw(st.just(tuple(items)) | JUNK)
    elif fault == "missing":
        data.pop(draw(st.sampled_from(["version", "waivers"])), None)
    elif fault == "extra":
        data[draw(st.sampled_from(["freeze", "Version", "extra"]))] = draw(JUNK)
    else:
        return draw(JUNK)
    return data


@st.composite
def documents(draw: st.DrawFn, *, valid: bool) -> LoadedYaml:
    """A waivers document: valid, or (when not *valid*) with up to two faults, mostly one, so
    that whether it is accepted hinges on that one rule."""
    items: list[Any] = draw(st.lists(valid_entries(), min_size=0 if valid else 1, max_size=4))
    data: Any = {"version": 1, "waivers": items}
    faults = 0 if valid else draw(st.sampled_from([0, 1, 1, 1, 1, 2]))
    for _ in range(faults):
        if items and draw(st.integers(0, 3)) > 0:
            break_entry(draw, items)
        else:
            data = break_top(draw, data, items)
    locs: list[Loc] = [(), ("waivers",), *(("waivers", i) for i in range(len(items)))]
    positions = draw(
        st.dictionaries(
            st.sampled_from(locs),
            st.builds(Position, st.integers(1, 100_000), st.integers(1, 200)),
        )
    )
    return LoadedYaml(data=data, source=SOURCE, value_positions=positions)


def fast(doc: LoadedYaml) -> WaiverSet | None:
    return trusted_waivers(doc.data, doc, doc.source, SHA)


def assert_same_as_the_models(doc: LoadedYaml, trusted: WaiverSet, raw: bytes = RAW) -> None:
    waivers, problems = parse_waivers(doc, raw)
    assert problems == []
    assert waivers == trusted
    assert waivers is not None
    for ours, theirs in zip(trusted.waivers, waivers.waivers, strict=True):
        assert type(ours.expires) is type(theirs.expires) is dt.date
        assert ours.where == theirs.where


@settings(max_examples=800, deadline=None)
@given(documents(valid=False))
def test_the_fast_path_declines_or_agrees(doc: LoadedYaml) -> None:
    trusted = fast(doc)
    event(f"fast path: {'declined' if trusted is None else 'accepted'}")
    if trusted is not None:
        assert_same_as_the_models(doc, trusted)


@settings(max_examples=300, deadline=None)
@given(documents(valid=True))
def test_a_valid_document_takes_the_fast_path(doc: LoadedYaml) -> None:
    trusted = fast(doc)
    assert trusted is not None
    assert_same_as_the_models(doc, trusted)


@pytest.mark.parametrize(
    "data",
    [
        {"version": True, "waivers": []},  # True == 1, but not a version
        {"version": 1, "waivers": [], "freeze": []},
        {"version": 1},
        {"version": 1, "waivers": [{"gate": "freeze"}]},
        {"version": 1, "waivers": [{**VALID_ENTRY, "note": "x"}]},
        [],
    ],
)
def test_a_document_the_models_refuse_is_declined(data: Any) -> None:
    doc = LoadedYaml(data=data, source=SOURCE)
    assert fast(doc) is None
    assert parse_waivers(doc, RAW)[0] is None


NEAR_MISS_CASES = [(key, value) for key, values in NEAR_MISSES.items() for value in values]


@pytest.mark.parametrize(("key", "value"), NEAR_MISS_CASES, ids=repr)
def test_every_near_miss_is_refused_and_declined(key: str, value: object) -> None:
    doc = LoadedYaml(data={"version": 1, "waivers": [{**VALID_ENTRY, key: value}]}, source=SOURCE)
    assert parse_waivers(doc, RAW)[0] is None  # the models refuse it ...
    assert fast(doc) is None  # ... so the fast path must not take it


def test_the_gate_pattern_is_the_stages_file_s() -> None:
    assert FAST_GATE_NAME_PATTERN == GATE_NAME_PATTERN


# --- real files -----------------------------------------------------------------------------------

ENTRY = """\
  - gate: promotion_guard
    finding: 'check:e2e@*'
    owner: alice
    reason: 'INC-123: e2e flaky on the new runners'
    expires: 2026-12-15
"""
FILES = {
    "block": f"# header\n\nversion: 1\nwaivers:\n{ENTRY}\n  # a comment\n{ENTRY}",
    "flow": "version: 1\nwaivers: [{gate: g, finding: '*', owner: o/t, reason: 'ten chars!',"
    " expires: '2026-01-31', evidence_sha256: " + DIGEST + "}]\n",
    "anchor": "version: 1\nwaivers:\n  - &w\n    gate: g\n    finding: x\n    owner: bob\n"
    "    reason: 'a reason, long enough'\n    expires: \"2026-01-31\"\n  - *w\n",
    "none": "version: 1\nwaivers: []\n",
    "most": "version: 1\nwaivers:\n" + ENTRY * 1000,
}


@pytest.mark.parametrize("name", FILES)
def test_a_valid_file_loads_as_the_models_read_it(tmp_path: Path, name: str) -> None:
    path = tmp_path / "w.yml"
    path.write_text(FILES[name], encoding="utf-8")
    doc, raw = load_yaml_file(path, SOURCE)
    trusted = trusted_waivers(doc.data, doc, doc.source, hashlib.sha256(raw).hexdigest())
    assert trusted is not None
    assert_same_as_the_models(doc, trusted, raw)
    assert load_waivers_file(path, SOURCE) == trusted


def test_one_over_the_limit_is_declined_and_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.yml"
    path.write_text("version: 1\nwaivers:\n" + ENTRY * 1001, encoding="utf-8")
    doc, _ = load_yaml_file(path, SOURCE)
    assert trusted_waivers(doc.data, doc, doc.source, SHA) is None
    with pytest.raises(ConfigError, match="at most 1000 items"):
        load_waivers_file(path, SOURCE)


def imported_by_loading(tmp_path: Path, text: str) -> set[str]:
    """Every module a fresh process imports to load *text* as a waivers file (importtime)."""
    (tmp_path / "w.yml").write_text(text, encoding="utf-8")
    code = (
        "from pathlib import Path\n"
        "from maturity.errors import ConfigError\n"
        "from maturity.waivers.load import load_waivers_file\n"
        "try:\n"
        "    print(len(load_waivers_file(Path('w.yml')).waivers))\n"
        "except ConfigError:\n"
        "    print('refused')\n"
    )
    proc, modules = run_importtime(["-c", code], tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {proc.stdout.strip(), *modules}


def pydantic_modules(modules: set[str]) -> set[str]:
    return {m for m in modules if m == "pydantic" or m.startswith(("pydantic.", "pydantic_"))}


def test_a_valid_file_loads_without_pydantic(tmp_path: Path) -> None:
    modules = imported_by_loading(tmp_path, FILES["block"])
    assert "2" in modules  # loaded, both waivers
    assert "maturity.waivers.fast_check" in modules
    assert pydantic_modules(modules) == set()


def test_an_invalid_file_is_read_by_the_models(tmp_path: Path) -> None:
    modules = imported_by_loading(
        tmp_path, FILES["block"].replace("gate: promotion_guard", "gate: freeze")
    )
    assert "refused" in modules
    assert "pydantic" in modules
    assert "maturity.waivers.models" in modules
