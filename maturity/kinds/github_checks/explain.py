"""What a change to a GitHub-checks gate's settings does, for ``validate --base``.

Each change that lets more commits through (fewer required checks, more ignored, more passing
conclusions, absent checks accepted, a lower minimum) is marked weaker.
"""

from __future__ import annotations

from maturity.kinds.github_checks.settings import GitHubChecksSettings
from maturity.kinds.interface import SettingChange


def setting_changes(was: GitHubChecksSettings, now: GitHubChecksSettings) -> list[SettingChange]:
    out: list[SettingChange] = []
    if was.required != now.required:
        if not now.required:
            out.append(SettingChange("required_checks", "now requires every check", weaker=False))
        elif not was.required:
            listed = ", ".join(p.label for p in now.required)
            msg = f"now requires only {listed}; other checks no longer block"
            out.append(SettingChange("required_checks", msg, weaker=True))
        else:
            gone = [p.label for p in was.required if p not in now.required]
            new = [p.label for p in now.required if p not in was.required]
            if gone:
                msg = f"no longer requires {', '.join(gone)}"
                out.append(SettingChange("required_checks", msg, weaker=True))
            if new:
                msg = f"now also requires {', '.join(new)}"
                out.append(SettingChange("required_checks", msg, weaker=False))
    ignored = [p.label for p in now.ignored if p not in was.ignored]
    if ignored:
        out.append(SettingChange("ignore", f"now ignores {', '.join(ignored)}", weaker=True))
    passing = sorted(set(now.pass_conclusions) - set(was.pass_conclusions))
    if passing:
        msg = f"now passes conclusion {', '.join(passing)}"
        out.append(SettingChange("pass_conclusions", msg, weaker=True))
    if now.allow_missing and not was.allow_missing:
        msg = "now accepts required checks that never appeared (allow_missing)"
        out.append(SettingChange("allow_missing", msg, weaker=True))
    if now.min_checks < was.min_checks:
        msg = f"min_checks {was.min_checks} -> {now.min_checks}"
        out.append(SettingChange("min_checks", msg, weaker=True))
    return out
