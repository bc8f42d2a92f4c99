"""The GitHub checks kind (``github_checks``): the built-in ``promotion_guard`` gate's code.

Everything of it lives here: settings, the judge (a pure function), the model of a commit's
checks, reading them from the API or a saved answer, polling for ``--wait``, the rule that
leaves the evaluator's own run out, its ``validate --base`` rules and its report section.
``maturity.github`` is the generic client underneath and never imports this package.
Importing this module loads the settings only; the rest loads when a gate of the kind runs.
"""

from __future__ import annotations

from pydantic import BaseModel

from maturity.kinds.github_checks.explain import setting_changes
from maturity.kinds.github_checks.gate import NATIVE_SOURCE, evaluate, time_budget
from maturity.kinds.github_checks.markdown import markdown_section
from maturity.kinds.github_checks.settings import GitHubChecksSettings
from maturity.kinds.interface import GateKind


def _details() -> type[BaseModel]:
    """The report's details model: imported by the schema generator, not when a gate runs."""
    from maturity.kinds.github_checks.details import GitHubChecksDetails

    return GitHubChecksDetails


KIND: GateKind[GitHubChecksSettings] = GateKind(
    name="github_checks",
    title="Required checks passed",
    remediation=(
        "make every required check (tests, lint, security scan) pass on this commit, "
        "then re-run the release workflow"
    ),
    description="Every required check run and commit status on the commit passed "
    "(GitHub Checks API and statuses, or a saved answer).",
    settings=GitHubChecksSettings,
    evaluate=evaluate,
    native_source=NATIVE_SOURCE,
    reads_checks_file=True,
    time_budget=time_budget,
    details=_details,
    markdown=markdown_section,
    changes=setting_changes,
)
