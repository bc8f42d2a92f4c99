"""Refs: git's check-ref-format rules (checked against the real git), parse_ref, and the CLI.

Where ``ref_problem`` is deliberately stricter than git, the property test skips the case and a
separate test pins the stricter rejection down:

- C1 control characters U+0080..U+009F (git accepts any byte >= 0x80),
- bidirectional controls (Trojan Source),
- text that is not UTF-8 (Python decodes such argv/env bytes to lone surrogates U+DC80..U+DCFF),
- refs longer than 1024 characters.

Two cases cannot be compared through git's command line at all: NUL (cannot be passed in argv;
git rejects it as a control character anyway) and a leading '-' (``git check-ref-format`` reads it
as an option and exits 129; its ref rules have no '-' rule, and neither have ours).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from maturity.cli import main
from maturity.errors import RefError, UsageError
from maturity.refs import MAX_REF_LENGTH, Ref, RefType, parse_ref, ref_problem, validate_ref
from maturity.subject import resolve_ref_input

GIT = shutil.which("git") or "/usr/bin/git"
needs_git = pytest.mark.skipif(not Path(GIT).exists(), reason="git is not installed")

C1_CONTROLS = [chr(c) for c in range(0x80, 0xA0)]
BIDI_CONTROLS = list("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
STRICTER_CHARS = frozenset(C1_CONTROLS) | frozenset(BIDI_CONTROLS)


def _deliberately_stricter(ref: str) -> bool:
    return any(ch in STRICTER_CHARS or 0xD800 <= ord(ch) <= 0xDFFF for ch in ref)


def git_accepts(refs: list[bytes]) -> list[bool]:
    """``git check-ref-format --allow-onelevel`` on each ref, in one shell process."""
    script = 'for r; do "$0" check-ref-format --allow-onelevel "$r"; echo $?; done'
    proc = subprocess.run(
        ["/bin/sh", "-c", script, GIT, *refs],
        capture_output=True,
        check=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"},
    )
    codes = [int(line) for line in proc.stdout.split()]
    assert len(codes) == len(refs), proc
    assert set(codes) <= {0, 1}, (codes, refs)  # 129 would mean git read a ref as an option
    return [code == 0 for code in codes]


# --- the property: ref_problem(s) is None exactly when git accepts s ---------------------------

_ATOMS = [
    *"abzAZ09/.-_@{}~^:?*[]\\ \t\n\x01\x1b\x7f!#%+,;<=>|'\"`é",
    "refs/",
    "refs/heads/",
    "refs/tags/",
    ".lock",
    "lock",
    "..",
    "@{",
    "//",
    "/.",
    "v1.2.3",
    "\u0085",  # C1 (NEL): stricter
    "\u202e",  # bidi override: stricter
    "\u200b",  # zero-width space: accepted by both
    "\U0001f600",
]

# Structural atoms only (no forbidden characters), so that the subtler rules are not masked.
_STRUCTURAL = [*"ab09/.-@{}", "lock", ".lock", "..", "@{", "//", "/.", "./", "refs/", "é"]

_ref_like = st.one_of(
    st.lists(st.sampled_from(_STRUCTURAL), max_size=8),
    st.lists(
        st.one_of(
            st.sampled_from(_ATOMS),
            st.characters(codec="utf-8", exclude_characters="\x00"),
        ),
        max_size=12,
    ),
).map("".join)


@needs_git
@settings(max_examples=150, deadline=None)
@given(st.lists(_ref_like, min_size=1, max_size=6))
@example(["@", "@@", "@/@", "a@", "{@"])
def test_ref_problem_agrees_with_git_check_ref_format(refs: list[str]) -> None:
    compared: list[str] = []
    for ref in refs:
        if _deliberately_stricter(ref):
            assert ref_problem(ref) is not None, ref
        elif not ref.startswith("-"):  # git's CLI would take it for an option
            compared.append(ref)
    if not compared:
        return
    verdicts = git_accepts([r.encode("utf-8") for r in compared])
    for ref, accepted in zip(compared, verdicts, strict=True):
        problem = ref_problem(ref)
        assert (problem is None) == accepted, (ref, problem, accepted)


@needs_git
def test_git_and_ref_problem_agree_on_hand_picked_edge_cases() -> None:
    cases = [
        "refs/heads/x",
        "refs",
        "refs/",
        "HEAD",
        "refs/heads/HEAD",
        "a@b",
        "a/@",
        "@/a",
        "@",
        "@{",
        "a@{b",
        "a{b}",
        "a./b",
        "a/b.",
        "a.",
        ".a",
        "a/.b",
        "a.lock",
        "a.lock/b",
        "a/.lock",
        "a.lockx",
        "lock",
        "a..b",
        "a/./b",
        "a//b",
        "/a",
        "a/",
        "a b",
        "a\tb",
        "a\x7fb",
        "a*b",
        "é/ü",
        "v1.2.3+build.7",
        "a" * MAX_REF_LENGTH,
    ]
    verdicts = git_accepts([c.encode("utf-8") for c in cases])
    mismatches = [
        (c[:40], ref_problem(c), ok)
        for c, ok in zip(cases, verdicts, strict=True)
        if (ref_problem(c) is None) != ok
    ]
    assert mismatches == []


# --- where we are deliberately stricter than git ----------------------------------------------


@needs_git
@pytest.mark.parametrize("ch", C1_CONTROLS + BIDI_CONTROLS)
def test_c1_and_bidi_controls_are_refused_although_git_accepts_them(ch: str) -> None:
    ref = f"v1{ch}.2.3"
    assert git_accepts([ref.encode("utf-8")]) == [True]
    problem = ref_problem(ref)
    assert problem is not None
    assert f"U+{ord(ch):04X}" in problem
    assert ("bidirectional" in problem) == (ch in BIDI_CONTROLS)


@needs_git
def test_overlong_refs_are_refused_although_git_accepts_them() -> None:
    at_limit, over = "a" * MAX_REF_LENGTH, "a" * (MAX_REF_LENGTH + 1)
    assert git_accepts([at_limit.encode(), over.encode()]) == [True, True]
    assert ref_problem(at_limit) is None
    assert ref_problem(over) == f"it is longer than {MAX_REF_LENGTH} characters"


@needs_git
def test_non_utf8_refs_are_refused_although_git_accepts_the_bytes() -> None:
    raw = b"v1.2.3\xff"
    assert git_accepts([raw]) == [True]
    decoded = os.fsdecode(raw)  # what Python hands us from argv or the environment
    assert decoded == "v1.2.3\udcff"
    problem = ref_problem(decoded)
    assert problem is not None
    assert "UTF-8" in problem


def test_nul_is_refused() -> None:
    assert ref_problem("v1\x00") == "it contains the control character U+0000"


def test_a_leading_dash_is_accepted_like_git_check_refname_format() -> None:
    # git's ref rules have no '-' rule (only `git check-ref-format --branch` does).
    assert ref_problem("-x") is None


# --- validate_ref / messages ---------------------------------------------------------------------


REFUSED = [
    ("", "empty"),
    ("a\x01b", "control character U+0001"),
    ("a\nb", "control character U+000A"),
    ("a\x7fb", "control character U+007F"),
    ("a b", "' '"),
    ("a..b", "'..'"),
    ("a~1", "'~'"),
    ("a^1", "'^'"),
    ("a:b", "':'"),
    ("a?b", "'?'"),
    ("a*b", "'*'"),
    ("a[b", "'['"),
    ("a\\b", "'\\\\'"),
    ("a/b.lock", "'.lock'"),
    ("a.lock/b", "'.lock'"),
    (".a", "begins with '.'"),
    ("a/.b", "begins with '.'"),
    ("a.", "ends with '.'"),
    ("a//b", "'//'"),
    ("a@{1}", "'@{'"),
    ("@", "'@' alone"),
    ("/a", "begins or ends with '/'"),
    ("a/", "begins or ends with '/'"),
]


@pytest.mark.parametrize(("ref", "fragment"), REFUSED)
def test_ref_problem_names_the_problem(ref: str, fragment: str) -> None:
    problem = ref_problem(ref)
    assert problem is not None
    assert fragment in problem


def test_validate_ref_error_shows_the_ref_escaped_and_bounded() -> None:
    with pytest.raises(RefError) as info:
        validate_ref("v1\x1b[31m" + "x" * 500, source="--ref")
    message = info.value.message
    assert message.startswith("invalid --ref 'v1\\x1b[31m")
    assert "\x1b" not in info.value.render()
    assert len(message) < 300
    assert "--tag v1.2.3" in info.value.remediation


def test_validate_ref_accepts_a_good_ref() -> None:
    validate_ref("refs/tags/v1.2.3")  # no exception


# --- parse_ref -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_ref", "hint", "expected"),
    [
        ("refs/tags/v1.2.3", RefType.UNKNOWN, Ref("refs/tags/v1.2.3", "v1.2.3", RefType.TAG)),
        ("refs/tags/a/b", RefType.UNKNOWN, Ref("refs/tags/a/b", "a/b", RefType.TAG)),
        ("refs/heads/main", RefType.UNKNOWN, Ref("refs/heads/main", "main", RefType.BRANCH)),
        (
            "refs/heads/feature/x",
            RefType.UNKNOWN,
            Ref("refs/heads/feature/x", "feature/x", RefType.BRANCH),
        ),
        ("refs/pull/1/merge", RefType.UNKNOWN, Ref("refs/pull/1/merge", "1/merge", RefType.PULL)),
        (
            "refs/remotes/origin/x",
            RefType.UNKNOWN,
            Ref("refs/remotes/origin/x", "remotes/origin/x", RefType.OTHER),
        ),
        # no trailing '/': only the bare `refs/` prefix applies
        ("refs/tags", RefType.UNKNOWN, Ref("refs/tags", "tags", RefType.OTHER)),
        ("refs/heads", RefType.UNKNOWN, Ref("refs/heads", "heads", RefType.OTHER)),
        # bare names: the hint types them and qualifies `full`
        ("v1.2.3", RefType.UNKNOWN, Ref("v1.2.3", "v1.2.3", RefType.UNKNOWN)),
        ("v1.2.3", RefType.TAG, Ref("refs/tags/v1.2.3", "v1.2.3", RefType.TAG)),
        ("main", RefType.BRANCH, Ref("refs/heads/main", "main", RefType.BRANCH)),
        ("feature/x", RefType.OTHER, Ref("feature/x", "feature/x", RefType.OTHER)),
        # an explicit refs/ prefix wins over the hint
        ("refs/heads/main", RefType.TAG, Ref("refs/heads/main", "main", RefType.BRANCH)),
    ],
)
def test_parse_ref(given_ref: str, hint: RefType, expected: Ref) -> None:
    assert parse_ref(given_ref, hint=hint) == expected


@pytest.mark.parametrize("bad", ["refs/tags/", "refs/heads/", "refs/tags/v1..2", "refs/pull//x"])
def test_parse_ref_validates_first(bad: str) -> None:
    with pytest.raises(RefError, match="invalid GITHUB_REF"):
        parse_ref(bad, source="GITHUB_REF")


# --- resolve_ref_input: flags, then the environment ---------------------------------------------


def test_tag_flag_qualifies_a_bare_name() -> None:
    assert resolve_ref_input({}, tag="v1.2.3") == Ref("refs/tags/v1.2.3", "v1.2.3", RefType.TAG)
    assert resolve_ref_input({}, tag="refs/tags/v1.2.3") == Ref(
        "refs/tags/v1.2.3", "v1.2.3", RefType.TAG
    )


@pytest.mark.parametrize("not_a_tag", ["refs/heads/main", "refs/pull/1/merge", "refs/remotes/x"])
def test_tag_flag_refuses_other_refs(not_a_tag: str) -> None:
    with pytest.raises(UsageError, match="is not a tag ref"):
        resolve_ref_input({}, tag=not_a_tag)


def test_tag_flag_error_shows_the_value_escaped_once() -> None:
    with pytest.raises(UsageError) as info:
        resolve_ref_input({}, tag="refs/heads/a\x1b")
    assert info.value.message == "--tag 'refs/heads/a\\u001b' is not a tag ref"


def test_ref_and_tag_together_are_refused() -> None:
    with pytest.raises(UsageError, match="not both"):
        resolve_ref_input({}, ref="refs/tags/v1.2.3", tag="v1.2.3")


def test_flags_win_over_the_environment() -> None:
    env = {"GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "x", "GITHUB_REF_TYPE": "branch"}
    assert resolve_ref_input(env, ref="refs/tags/v1.0.0").name == "v1.0.0"
    assert resolve_ref_input(env, tag="v2.0.0").full == "refs/tags/v2.0.0"


def test_github_ref_wins_over_github_ref_name() -> None:
    env = {"GITHUB_REF": "refs/tags/v1.2.3", "GITHUB_REF_NAME": "main", "GITHUB_REF_TYPE": "branch"}
    assert resolve_ref_input(env) == Ref("refs/tags/v1.2.3", "v1.2.3", RefType.TAG)


@pytest.mark.parametrize(
    ("ref_type", "expected"),
    [
        ("tag", Ref("refs/tags/v1.2.3", "v1.2.3", RefType.TAG)),
        ("branch", Ref("refs/heads/v1.2.3", "v1.2.3", RefType.BRANCH)),
        (None, Ref("v1.2.3", "v1.2.3", RefType.UNKNOWN)),
        ("weird", Ref("v1.2.3", "v1.2.3", RefType.UNKNOWN)),
    ],
)
def test_github_ref_name_is_typed_by_github_ref_type(ref_type: str | None, expected: Ref) -> None:
    env = {"GITHUB_REF_NAME": "v1.2.3"}
    if ref_type is not None:
        env["GITHUB_REF_TYPE"] = ref_type
    assert resolve_ref_input(env) == expected


def test_blank_github_ref_falls_back_to_github_ref_name() -> None:
    env = {"GITHUB_REF": "  ", "GITHUB_REF_NAME": "v1.2.3", "GITHUB_REF_TYPE": "tag"}
    assert resolve_ref_input(env).full == "refs/tags/v1.2.3"


@pytest.mark.parametrize("env", [{}, {"GITHUB_REF": ""}, {"GITHUB_REF_NAME": " "}])
def test_no_ref_at_all_is_a_usage_error(env: dict[str, str]) -> None:
    with pytest.raises(UsageError, match="no ref to judge"):
        resolve_ref_input(env)


@pytest.mark.parametrize(
    ("env", "source"),
    [
        ({"GITHUB_REF": "refs/tags/v1..2"}, "GITHUB_REF"),
        ({"GITHUB_REF_NAME": "a b", "GITHUB_REF_TYPE": "tag"}, "GITHUB_REF_NAME"),
    ],
)
def test_invalid_refs_from_the_environment_are_refused(env: dict[str, str], source: str) -> None:
    with pytest.raises(RefError, match=f"invalid {source}"):
        resolve_ref_input(env)


# --- the CLI: refused refs stop `evaluate` and `resolve` with exit 2 ---------------------------


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(extra)
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "maturity", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        check=False,
        timeout=60,
    )


CLI_REFUSED = [
    ("v1\x01", "control character U+0001"),
    ("v1\tx", "control character U+0009"),
    ("v1\nx", "control character U+000A"),
    ("v1\x1b[31m", "control character U+001B"),
    ("v1\x7f", "control character U+007F"),
    ("v1\u0085x", "control character U+0085"),
    ("v1\u202ex", "bidirectional control character U+202E"),
    ("v1 2", "' '"),
    ("v1..2", "'..'"),
    ("v1~2", "'~'"),
    ("v1^2", "'^'"),
    ("v1:2", "':'"),
    ("v1?2", "'?'"),
    ("v1*2", "'*'"),
    ("v1[2", "'['"),
    ("v1\\2", "'\\\\'"),
    ("tags/v1.lock", "'.lock'"),
    (".v1", "begins with '.'"),
    ("v1.", "ends with '.'"),
    ("a//b", "'//'"),
    ("v1@{0}", "'@{'"),
    ("@", "'@' alone"),
    ("/v1", "begins or ends with '/'"),
    ("v1/", "begins or ends with '/'"),
]
_RAW_CONTROLS = [chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if chr(c) != "\n"]


# Through a real process (argv encoding, stdout encoding): a representative subset, concurrently.
SUBPROCESS_REFUSED = [
    c
    for c in CLI_REFUSED
    if c[0] in {"v1\x01", "v1\nx", "v1\x1b[31m", "v1\u0085x", "v1\u202ex", "v1..2", "@"}
]


@dataclass(frozen=True)
class _Outcome:
    proc: subprocess.CompletedProcess[bytes]
    cwd: Path


@pytest.fixture(scope="module")
def refused_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], _Outcome]:
    """Every (command, ref) of SUBPROCESS_REFUSED, run concurrently (a CLI start costs ~0.15 s)."""
    jobs: dict[tuple[str, str], tuple[list[str], Path, dict[str, str]]] = {}
    for ref, _ in SUBPROCESS_REFUSED:
        cwd = tmp_path_factory.mktemp("resolve")
        jobs["resolve", ref] = (["resolve", ref, "--builtin-config"], cwd, _clean_env())
        cwd = tmp_path_factory.mktemp("evaluate")
        # Under Actions the error is also echoed as a workflow command on stdout.
        env = _clean_env(GITHUB_ACTIONS="true")
        jobs["evaluate", ref] = (["evaluate", f"--ref={ref}", "--builtin-config"], cwd, env)
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {key: pool.submit(_run, *job) for key, job in jobs.items()}
        return {key: _Outcome(f.result(), jobs[key][1]) for key, f in futures.items()}


def _assert_refused(code: int, stdout: str, stderr: str, fragment: str, cwd: Path) -> None:
    assert code == 2, (stdout, stderr)
    assert "maturity: error: invalid" in stderr
    assert fragment in stderr
    assert "fix:" in stderr
    for text in (stdout, stderr):
        assert not any(ch in text for ch in _RAW_CONTROLS + BIDI_CONTROLS), repr(text)
    assert list(cwd.iterdir()) == [], "nothing may be written"


@pytest.mark.parametrize(("ref", "fragment"), SUBPROCESS_REFUSED)
def test_cli_process_resolve_refuses_bad_refs(
    ref: str, fragment: str, refused_runs: dict[tuple[str, str], _Outcome]
) -> None:
    out = refused_runs["resolve", ref]
    _assert_refused(
        out.proc.returncode, out.proc.stdout.decode(), out.proc.stderr.decode(), fragment, out.cwd
    )
    assert out.proc.stdout == b""


@pytest.mark.parametrize(("ref", "fragment"), SUBPROCESS_REFUSED)
def test_cli_process_evaluate_refuses_bad_refs(
    ref: str, fragment: str, refused_runs: dict[tuple[str, str], _Outcome]
) -> None:
    out = refused_runs["evaluate", ref]
    _assert_refused(
        out.proc.returncode, out.proc.stdout.decode(), out.proc.stderr.decode(), fragment, out.cwd
    )
    assert out.proc.stdout.startswith(b"::error ")
    assert out.proc.stdout.count(b"\n") == 1


# The whole table in-process (same `main`, no process start-up per case).


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith("GITHUB_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(("ref", "fragment"), CLI_REFUSED)
def test_cli_resolve_refuses_bad_refs(
    ref: str, fragment: str, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["resolve", ref, "--builtin-config"])
    out, err = capsys.readouterr()
    _assert_refused(code, out, err, fragment, cli_env)
    assert out == ""


@pytest.mark.parametrize(("ref", "fragment"), CLI_REFUSED)
def test_cli_evaluate_refuses_bad_refs(
    ref: str,
    fragment: str,
    cli_env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code = main(["evaluate", f"--ref={ref}", "--builtin-config"])
    out, err = capsys.readouterr()
    _assert_refused(code, out, err, fragment, cli_env)
    assert out.startswith("::error ")
    assert out.count("\n") == 1


def test_cli_evaluate_refuses_a_bad_github_ref(tmp_path: Path) -> None:
    proc = _run(
        ["evaluate", "--builtin-config"], tmp_path, _clean_env(GITHUB_REF="refs/tags/v1\x1b")
    )
    stdout, stderr = proc.stdout.decode(), proc.stderr.decode()
    _assert_refused(proc.returncode, stdout, stderr, "control character U+001B", tmp_path)
    assert "invalid GITHUB_REF 'refs/tags/v1\\x1b'" in stderr


def test_cli_refuses_non_utf8_refs_without_a_crash(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable.encode(), b"-m", b"maturity", b"evaluate", b"--ref=v1.2.3\xff"],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert b"UTF-8" in proc.stderr
    assert b"Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_ref_and_tag_together_exit_2(tmp_path: Path) -> None:
    proc = _run(
        ["evaluate", "--ref", "refs/tags/v1.2.3", "--tag", "v1.2.3", "--builtin-config"],
        tmp_path,
        _clean_env(),
    )
    assert proc.returncode == 2
    assert b"not allowed with argument" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_tag_with_a_branch_ref_exits_2(tmp_path: Path) -> None:
    proc = _run(
        ["evaluate", "--tag", "refs/heads/main", "--builtin-config"], tmp_path, _clean_env()
    )
    assert proc.returncode == 2
    assert b"is not a tag ref" in proc.stderr
    assert b"use --ref for branches" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_without_any_ref_exits_2(tmp_path: Path) -> None:
    proc = _run(["evaluate", "--builtin-config"], tmp_path, _clean_env())
    assert proc.returncode == 2
    assert b"no ref to judge" in proc.stderr
    assert list(tmp_path.iterdir()) == []
