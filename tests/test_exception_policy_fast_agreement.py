"""The fast path of ``evaluate`` and the models agree on the stages file's exception policy.

``exception_fast.trusted_policy`` reads ``freeze_windows``, ``break_glass`` and ``waivers``
without pydantic and may decline them (None); when it does not, it must give exactly what the
models give (``ExceptionPolicySpec``, then ``policy_from_model``). On a valid policy it must
not decline, or ``evaluate`` would build the models after all; and then they are not even
imported.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO_ROOT, run_importtime, write_all_evidence
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from maturity.config.exception_fast import POLICY_SECTIONS, TrustedPolicy, trusted_policy
from maturity.config.exception_fast import STAGE_NAME_PATTERN as FAST_STAGE_NAME_PATTERN
from maturity.config.exception_models import ExceptionPolicySpec
from maturity.config.exception_policy import POLICY_KEYS, policy_from_model, policy_of
from maturity.config.models import STAGE_NAME_PATTERN
from maturity.config.yaml_loader import load_yaml_file

EXAMPLE = REPO_ROOT / "examples" / "stages" / "break-glass.yml"
ZONES = ("Europe/Berlin", "UTC", "America/New_York", "Asia/Kolkata", "Etc/GMT+5", "Pacific/Apia")
DAYS = ("Mon", "tue", "WED", "Thursday", "friday", "SAT", "Sun")


def by_the_models(data: Any) -> TrustedPolicy | None:
    try:
        return policy_from_model(ExceptionPolicySpec.model_validate(data))
    except ValidationError:
        return None


def assert_same_as_the_models(data: Any, trusted: TrustedPolicy) -> None:
    theirs = by_the_models(data)
    assert theirs == trusted
    # == on datetimes compares instants: the offsets each window was written with must agree too
    assert repr(theirs) == repr(trusted)


# --- valid policies -------------------------------------------------------------------------------

STAGE = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", fullmatch=True) | st.sampled_from(
    ["GA", "PRE_GA", "a" * 64, "v1.2", "0"]
)
ACTOR = st.from_regex(
    r"[A-Za-z0-9][A-Za-z0-9-]{0,38}(/[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?", fullmatch=True
) | st.sampled_from(["octocat", "a" * 39, "octo-org/release-managers", "o/" + "t" * 100])
GATE = st.from_regex(r"[a-z][a-z0-9_]{0,63}", fullmatch=True) | st.sampled_from(
    ["freeze", "promotion_guard", "g" * 64]
)
NAME = st.text(min_size=1, max_size=100).filter(str.strip) | st.sampled_from(["n" * 100, " x "])
OFFSETS = st.integers(-1439, 1439).map(lambda minutes: dt.timedelta(minutes=minutes))
INSTANT = st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2100, 1, 1)).flatmap(
    lambda moment: OFFSETS.map(lambda offset: moment.replace(tzinfo=dt.timezone(offset)))
)
REASON_PATTERN = st.sampled_from(["(INC|CHG)-[0-9]+", "x", r"[A-Z]+-\d+", "p" * 500, "é?"])


def instant_text(moment: dt.datetime, style: int) -> str:
    text = moment.isoformat(sep="T" if style % 2 else " ")
    return text.replace("+00:00", "Z") if style > 1 else text


@st.composite
def absolute_window(draw: st.DrawFn) -> dict[str, Any]:
    first, second = sorted((draw(INSTANT), draw(INSTANT)))
    if first == second:
        second += dt.timedelta(minutes=1)
    return {
        "start": instant_text(first, draw(st.integers(0, 3))),
        "end": instant_text(second, draw(st.integers(0, 3))),
    }


def weekly_text(weekday: int, minute: int, style: int) -> str:
    day = (
        DAYS[weekday]
        if style
        else ("monday", "TUESDAY", "Wed", "thu", "Fri", "sat", "sun")[weekday]
    )
    hour = f"{minute // 60:02d}" if style % 2 else str(minute // 60)
    return f"{' ' * (style // 2)}{day} {hour}:{minute % 60:02d}"


@st.composite
def weekly_window(draw: st.DrawFn) -> dict[str, Any]:
    opens = draw(st.integers(0, 7 * 1440 - 1))
    closes = (opens + draw(st.integers(1, 7 * 1440 - 1))) % (7 * 1440)  # never equal
    return {
        "weekly": {
            "from": weekly_text(*divmod(opens, 1440), draw(st.integers(0, 3))),
            "to": weekly_text(*divmod(closes, 1440), draw(st.integers(0, 3))),
        },
        "timezone": draw(st.sampled_from(ZONES)),
    }


@st.composite
def windows(draw: st.DrawFn) -> dict[str, Any]:
    window: dict[str, Any] = {
        "name": draw(NAME),
        "stages": draw(st.lists(STAGE, min_size=1, max_size=3)),
    }
    if draw(st.booleans()):
        window["message"] = draw(st.text(max_size=500))
    weekly = draw(st.booleans())
    window.update(draw(weekly_window() if weekly else absolute_window()))
    for key in ("start", "end") if weekly else ("weekly", "timezone"):
        if draw(st.integers(0, 4)) == 0:
            window[key] = None  # written as `key:` with nothing after it: absent
    return window


def optional(draw: st.DrawFn, out: dict[str, Any], key: str, value: st.SearchStrategy[Any]) -> None:
    """*key* absent a quarter of the time, null (its default) where that is allowed, else a value."""
    choice = draw(st.integers(0, 3))
    if choice == 1 and key in {"reason_pattern", "follow_up"}:
        out[key] = None  # `reason_pattern:` with nothing after it
    elif choice:
        out[key] = draw(value)


@st.composite
def break_glass(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {
        "allowed_actors": draw(st.lists(ACTOR, min_size=1, max_size=4)),
        "stages": draw(
            st.dictionaries(
                STAGE, st.just("*") | st.lists(GATE, max_size=4), min_size=1, max_size=3
            )
        ),
    }
    optional(draw, out, "min_reason_length", st.integers(1, 2000))
    optional(draw, out, "reason_pattern", REASON_PATTERN)
    follow_up = st.fixed_dictionaries(
        {},
        optional={
            "labels": st.lists(st.text(min_size=1, max_size=50), max_size=20),
            "assignees": st.lists(ACTOR, max_size=10),
        },
    )
    optional(draw, out, "follow_up", follow_up)
    return out


WAIVERS = st.fixed_dictionaries(
    {}, optional={"max_days": st.dictionaries(STAGE, st.integers(0, 3660), max_size=3)}
)


@st.composite
def valid_policies(draw: st.DrawFn) -> dict[str, Any]:
    sections = {
        "freeze_windows": st.lists(windows(), max_size=3),
        "break_glass": st.none() | break_glass(),
        "waivers": st.none() | WAIVERS,
    }
    chosen = draw(st.sets(st.sampled_from(list(sections))))
    return {key: draw(strategy) for key, strategy in sections.items() if key in chosen}


# --- near misses ----------------------------------------------------------------------------------

JUNK = (
    st.none()
    | st.booleans()
    | st.integers(-2, 2)
    | st.floats(allow_nan=False)
    | st.text(max_size=4)
    | st.lists(st.text(max_size=2), max_size=2)
    | st.dictionaries(st.text(max_size=2), st.integers(), max_size=1)
)
BAD_TEXT = ("x\ud800", "\udfff")  # a stray surrogate: pydantic refuses it in any string
NEAR_MISSES: dict[str, tuple[object, ...]] = {
    "stage": ("", "a" * 65, "-GA", "G A", "GA\n", "É", "GA/x", 1, True, None, *BAD_TEXT),
    "actor": (
        "-alice",
        "a" * 40,
        "org/",
        "org/team/x",
        "al ice",
        "alice\n",
        "o/" + "t" * 101,
        "_a",
        7,
        *BAD_TEXT,
    ),
    "gate": ("Freeze", "*", "a" * 65, "1abc", "g\n", "gate-x", "", 3, None, *BAD_TEXT),
    "label": ("", "x" * 51, 5, None, *BAD_TEXT),
    "name": ("", " ", "\t\n", "x" * 101, 1, None, *BAD_TEXT),
    "message": ("x" * 501, None, 5, *BAD_TEXT),
    "instant": (
        "2026-12-20T00:00:00",
        "2026-12-20",
        "2026-13-01T00:00:00Z",
        "2026-12-20T25:00:00Z",
        "",
        "yesterday",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:30:00-01:00",
        "2026-12-20T00:00:00Z\ud800",
        20261220,
        dt.datetime(2026, 12, 20, tzinfo=dt.UTC),
    ),
    "weekly_time": (
        "Fri 25:00",
        "Fri 16:60",
        "Frday 16:00",
        "Fri16:00",
        "Fri 16:0",
        "16:00",
        "",
        1600,
        *BAD_TEXT,
    ),
    "timezone": (
        "Europe/Berlinn",
        "../../etc/passwd",
        "",
        "localtime",
        "posix/Europe/Berlin",
        "Europe",
        "UTC\n",
        5,
        *BAD_TEXT,
    ),
    "window_stages": ([], "GA", None, ("GA",)),
    "min_reason_length": (0, 2001, -1, True, 20.0, "20", None),
    "reason_pattern": ("", "(?=INC)", "p" * 501, "(", r"(\w+){1000}", 5, "a\ud800"),
    "overridable": ("**", "freeze", ["*"], None, {}, 1),
    "actors": ([], ["a"] * 201, "octocat", None),
    "labels": ([""] * 21, ["x"] * 21, "x", None),
    "assignees": (["a"] * 11, "alice", None),
    "days": (-1, 3661, True, 14.0, "14", None),
    "max_days": ([], None, "GA: 14"),
    "freeze_windows": (None, {}, [{}], "x"),
    "section": ([], "x", 0),
}


def subtly_wrong(kind: str) -> st.SearchStrategy[Any]:
    """A near miss of *kind* three times in four; else any wrong type."""
    values = st.sampled_from(NEAR_MISSES[kind]).map(copy.deepcopy)
    return st.integers(0, 3).flatmap(lambda i: values if i else JUNK)


#: a key some mapping of the policy has, or near one: as an extra key it breaks the form, or
#: is unknown (``from_`` is the models' Python name for ``from``: a key of neither)
EXTRA_KEYS = (
    "start",
    "end",
    "weekly",
    "timezone",
    "from_",
    "stage",
    "Name",
    "labels",
    "max_days",
    "",
)
EXTRA_VALUES = (
    st.sampled_from(
        ["2026-01-01T00:00:00Z", "UTC", "Fri 16:00", {"from": "Mon 08:00", "to": "Tue 08:00"}]
    )
    | JUNK
)


def as_dict(value: Any) -> dict[Any, Any]:
    return value if type(value) is dict else {}


def as_list(value: Any) -> list[Any]:
    return value if type(value) is list else []


def places(data: dict[str, Any]) -> tuple[list[tuple[Any, Any, str]], list[dict[Any, Any]]]:
    """Where a value of the policy may be replaced (container, key, kind), and its mappings
    (after a first fault, some of it may be missing or of another type)."""
    slots: list[tuple[Any, Any, str]] = [(data, key, "section") for key in data]
    slots += [(data, "freeze_windows", "freeze_windows")] if "freeze_windows" in data else []
    mappings: list[dict[Any, Any]] = [data]

    def items(container: Any, kind: str) -> None:
        keys = container if type(container) is dict else range(len(as_list(container)))
        slots.extend((container, key, kind) for key in keys)

    def fields(mapping: dict[Any, Any], kinds: dict[str, str]) -> None:
        slots.extend((mapping, key, kind) for key, kind in kinds.items() if key in mapping)

    for window in map(as_dict, as_list(data.get("freeze_windows"))):
        mappings.append(window)
        kinds = {"name": "name", "message": "message", "start": "instant", "end": "instant"}
        fields(window, {**kinds, "timezone": "timezone", "stages": "window_stages"})
        items(window.get("stages"), "stage")
        if weekly := as_dict(window.get("weekly")):
            mappings.append(weekly)
            fields(weekly, {"from": "weekly_time", "to": "weekly_time"})
    if glass := as_dict(data.get("break_glass")):
        mappings.append(glass)
        kinds = {"min_reason_length": "min_reason_length", "reason_pattern": "reason_pattern"}
        fields(glass, {**kinds, "allowed_actors": "actors"})
        items(glass.get("allowed_actors"), "actor")
        items(as_dict(glass.get("stages")), "overridable")
        for gates in as_dict(glass.get("stages")).values():
            items(as_list(gates), "gate")
        if follow_up := as_dict(glass.get("follow_up")):
            mappings.append(follow_up)
            fields(follow_up, {"labels": "labels", "assignees": "assignees"})
            items(follow_up.get("labels"), "label")
            items(follow_up.get("assignees"), "actor")
    if waivers := as_dict(data.get("waivers")):
        mappings.append(waivers)
        fields(waivers, {"max_days": "max_days"})
        items(as_dict(waivers.get("max_days")), "days")
    return slots, mappings


def break_policy(draw: st.DrawFn, data: dict[str, Any]) -> None:
    """One fault: a value replaced, a key dropped or added, or a stage key misspelt."""
    slots, mappings = places(data)
    fault = draw(st.sampled_from(["value", "value", "value", "drop", "extra", "stage key"]))
    if fault == "value" and slots:
        container, key, kind = draw(st.sampled_from(slots))
        container[key] = draw(subtly_wrong(kind))
        return
    mapping = draw(st.sampled_from(mappings))
    if fault == "drop" and mapping:
        del mapping[draw(st.sampled_from(list(mapping)))]
    elif fault == "extra":
        mapping[draw(st.sampled_from(EXTRA_KEYS))] = draw(EXTRA_VALUES)
    else:
        glass, waivers = as_dict(data.get("break_glass")), as_dict(data.get("waivers"))
        keyed = [m for m in (as_dict(glass.get("stages")), as_dict(waivers.get("max_days"))) if m]
        if keyed:
            target = draw(st.sampled_from(keyed))
            old = draw(st.sampled_from(list(target)))
            target[draw(st.sampled_from(NEAR_MISSES["stage"]))] = target.pop(old)


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    """A policy with one or two faults, mostly one, so that whether it is accepted hinges on
    that one rule (a fault may leave it valid: a dropped optional key, say)."""
    data = draw(valid_policies())
    for _ in range(draw(st.sampled_from([1, 1, 1, 2]))):
        break_policy(draw, data)
    return data


# --- the properties -------------------------------------------------------------------------------


@settings(max_examples=1000, deadline=None)
@given(policies())
def test_the_fast_path_declines_or_agrees(data: dict[str, Any]) -> None:
    trusted = trusted_policy(data)
    event(f"fast path: {'declined' if trusted is None else 'accepted'}")
    if trusted is not None:
        assert_same_as_the_models(data, trusted)


@settings(max_examples=300, deadline=None)
@given(valid_policies())
def test_a_valid_policy_takes_the_fast_path(data: dict[str, Any]) -> None:
    trusted = trusted_policy(data)
    assert trusted is not None
    assert_same_as_the_models(data, trusted)


# --- edges, one by one ----------------------------------------------------------------------------

WINDOW = {
    "name": "year-end",
    "stages": ["GA"],
    "start": "2026-12-20T00:00:00+01:00",
    "end": "2027-01-04T08:00:00+01:00",
}
WEEKLY = {
    "name": "weekend",
    "stages": ["GA"],
    "weekly": {"from": "Fri 16:00", "to": "Mon 08:00"},
    "timezone": "Europe/Berlin",
}
GLASS = {"allowed_actors": ["octocat"], "stages": {"GA": ["freeze"], "PRE_GA": "*"}}

VALID_EDGES = {
    "nothing": {},
    "all null": {"break_glass": None, "waivers": None, "freeze_windows": []},
    "longest name and message": {
        "freeze_windows": [{**WINDOW, "name": "n" * 100, "message": "m" * 500}]
    },
    "most windows": {"freeze_windows": [WINDOW, WEEKLY] * 100},
    "the other form null": {
        "freeze_windows": [
            {**WINDOW, "weekly": None, "timezone": None},
            {**WEEKLY, "start": None, "end": None},
        ]
    },
    "weekly spelt out": {
        "freeze_windows": [{**WEEKLY, "weekly": {"from": "  friday 4:00 ", "to": "SUNDAY 23:59"}}]
    },
    "a window of a minute": {
        "freeze_windows": [
            {**WINDOW, "start": "2026-12-20T00:00:00Z", "end": "2026-12-20T01:01:00+01:00"}
        ]
    },
    "most actors": {"break_glass": {**GLASS, "allowed_actors": ["a"] * 200}},
    "reason lengths": {"break_glass": {**GLASS, "min_reason_length": 1}},
    "longest reason length": {"break_glass": {**GLASS, "min_reason_length": 2000}},
    "longest reason pattern": {"break_glass": {**GLASS, "reason_pattern": "p" * 500}},
    "no gates": {"break_glass": {**GLASS, "stages": {"GA": []}}},
    "empty follow-up": {"break_glass": {**GLASS, "follow_up": {}}},
    "fullest follow-up": {
        "break_glass": {
            **GLASS,
            "follow_up": {"labels": ["l" * 50] * 20, "assignees": ["a/b"] * 10},
        }
    },
    "no caps": {"waivers": {}},
    "caps at the edges": {"waivers": {"max_days": {"GA": 0, "PRE_GA": 3660}}},
}


@pytest.mark.parametrize("data", VALID_EDGES.values(), ids=list(VALID_EDGES))
def test_a_valid_edge_takes_the_fast_path(data: dict[str, Any]) -> None:
    trusted = trusted_policy(data)
    assert trusted is not None
    assert_same_as_the_models(data, trusted)


def with_(value: object, *path: str | int) -> dict[str, Any]:
    """A valid policy (the example's) with *value* at *path*."""
    data: dict[str, Any] = copy.deepcopy(
        {
            "freeze_windows": [WINDOW, WEEKLY],
            "break_glass": GLASS,
            "waivers": {"max_days": {"GA": 14}},
        }
    )
    target: Any = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return data


#: where each kind of near miss goes in :func:`with_`'s policy
PATHS: dict[str, tuple[str | int, ...]] = {
    "stage": ("freeze_windows", 0, "stages", 0),
    "actor": ("break_glass", "allowed_actors", 0),
    "gate": ("break_glass", "stages", "GA", 0),
    "label": ("break_glass", "follow_up"),
    "name": ("freeze_windows", 1, "name"),
    "message": ("freeze_windows", 0, "message"),
    "instant": ("freeze_windows", 0, "end"),
    "weekly_time": ("freeze_windows", 1, "weekly", "to"),
    "timezone": ("freeze_windows", 1, "timezone"),
    "window_stages": ("freeze_windows", 1, "stages"),
    "min_reason_length": ("break_glass", "min_reason_length"),
    "reason_pattern": ("break_glass", "reason_pattern"),
    "overridable": ("break_glass", "stages", "PRE_GA"),
    "actors": ("break_glass", "allowed_actors"),
    "labels": ("break_glass", "follow_up"),
    "assignees": ("break_glass", "follow_up"),
    "days": ("waivers", "max_days", "GA"),
    "max_days": ("waivers", "max_days"),
    "freeze_windows": ("freeze_windows",),
    "section": ("waivers",),
}
#: near misses the models take by coercing them (a tuple is a list to pydantic; YAML never gives
#: one): the fast path coerces none. Numbers are strict in both: `true`, `20.0`, `"20"` refused
COERCED = [
    ("window_stages", ("GA",)),
]


def coerced(kind: str, value: object) -> bool:
    return any(k == kind and type(v) is type(value) and v == value for k, v in COERCED)


def near_miss(kind: str, value: object) -> dict[str, Any]:
    if kind == "label":
        value = {"labels": [value]}
    elif kind in {"labels", "assignees"}:
        value = {kind: value}
    return with_(copy.deepcopy(value), *PATHS[kind])


NEAR_MISS_CASES = [(kind, value) for kind, values in NEAR_MISSES.items() for value in values]


@pytest.mark.parametrize(("kind", "value"), NEAR_MISS_CASES, ids=repr)
def test_every_near_miss_is_declined(kind: str, value: object) -> None:
    data = near_miss(kind, value)
    assert trusted_policy(data) is None
    if coerced(kind, value):
        assert by_the_models(data) is not None  # pydantic coerces it; the models read it
    else:
        assert by_the_models(data) is None  # the models refuse it, with a located error


def test_the_base_of_the_near_misses_is_valid() -> None:
    data = with_(["promotion_guard"], "break_glass", "stages", "GA")
    trusted = trusted_policy(data)
    assert trusted is not None
    assert_same_as_the_models(data, trusted)


def test_from_spelt_as_the_python_field_is_refused_by_both() -> None:
    data = with_({"from_": "Fri 16:00", "to": "Mon 08:00"}, "freeze_windows", 1, "weekly")
    assert trusted_policy(data) is None
    assert by_the_models(data) is None


def test_the_stage_pattern_is_the_stages_file_s() -> None:
    assert FAST_STAGE_NAME_PATTERN == STAGE_NAME_PATTERN


def test_the_sections_are_the_loader_s() -> None:
    assert set(POLICY_KEYS) == POLICY_SECTIONS


# --- the real file, through the loader and the CLI ------------------------------------------------


def test_the_example_takes_the_fast_path_with_the_models_values() -> None:
    doc, _ = load_yaml_file(EXAMPLE)
    policy, problems = policy_of(doc)
    assert problems == []
    assert policy is not None
    assert len(policy.freeze_windows) == 2
    assert policy.break_glass is not None
    assert policy.waiver_max_days == {"GA": 14, "PRE_GA": 30}
    sections = {key: doc.data[key] for key in POLICY_KEYS}
    assert trusted_policy(sections) == policy
    assert_same_as_the_models(sections, policy)


def imported_by_evaluate(tmp_path: Path, stages: str) -> tuple[int, set[str]]:
    """The exit code, and every module a fresh ``maturity evaluate`` imports (importtime)."""
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "maturity-stages.yml").write_text(stages, encoding="utf-8")
    write_all_evidence(tmp_path / "ev")
    args = [
        "evaluate",
        "--evidence-dir",
        "ev",
        "--now",
        "2026-12-02T12:00:00Z",
        "--tag",
        "v1.2.3-rc.1",
    ]
    proc, modules = run_importtime(["-m", "maturity", *args], tmp_path)
    return proc.returncode, modules


def test_evaluate_on_the_example_builds_no_policy_model(tmp_path: Path) -> None:
    code, modules = imported_by_evaluate(tmp_path, EXAMPLE.read_text(encoding="utf-8"))
    assert code == 0  # GO: every gate's evidence is ok, and no window holds that Wednesday
    assert "maturity.config.freeze" in modules  # the windows were read ...
    assert "maturity.config.exception_fast" in modules
    assert "maturity.config.exception_models" not in modules  # ... without the models


def test_evaluate_on_a_file_without_the_policy_imports_neither_path(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").split("\nfreeze_windows:")[0] + "\n"
    code, modules = imported_by_evaluate(tmp_path, text)
    assert code == 0
    assert "maturity.config.load" in modules
    assert not modules & {"maturity.config.exception_fast", "maturity.config.exception_models"}


def test_evaluate_on_a_broken_policy_reads_it_with_the_models(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "min_reason_length: 20", "min_reason_length: 0"
    )
    code, modules = imported_by_evaluate(tmp_path, text)
    assert code == 2
    assert "maturity.config.exception_models" in modules
