"""The built-in stages file: used when no ``ci/maturity-stages.yml`` exists, written by ``init``."""

from __future__ import annotations

DEFAULT_CONFIG_PATH = "ci/maturity-stages.yml"
#: the waivers file ``evaluate`` and ``validate`` read when ``--waivers`` is not given
DEFAULT_WAIVERS_PATH = "ci/maturity-waivers.yml"
SCHEMA_COMMENT = "# yaml-language-server: $schema=../schemas/maturity-stages.schema.json\n"

DEFAULT_STAGES_YAML = r"""# maturity: which release gates count, and how much, for each kind of ref.
#
# Stages are listed from least to most mature. Each sets every gate to one level:
#   required     the gate must pass, or the verdict is NO-GO
#   report_only  the result is recorded and warned about, never blocks
#   off          the gate is not run
# Mappings are tried in order against the short ref name (v1.2.3, main, feature/x);
# the first match wins. `pattern` is a glob (* ? [set]); `regex` must match the whole name.
# `examples` are refs that must resolve to that mapping; `maturity validate` checks them.
version: 1

stages:
  PILOT:
    description: Branches and any other ref. Every gate reports; none blocks.
    gates:
      promotion_guard: report_only
      observability_verify: report_only
      deps_approval: report_only
      policy_drift: report_only
      field_budgets: report_only
  PRE_GA:
    description: Release candidates (vX.Y.Z-rc.N). Checks and observability must pass.
    gates:
      promotion_guard: required
      observability_verify: required
      deps_approval: report_only
      policy_drift: report_only
      field_budgets: report_only
  GA:
    description: Full releases (vX.Y.Z, a complete semantic version). Every gate must pass.
    gates:
      promotion_guard: required
      observability_verify: required
      deps_approval: required
      policy_drift: required
      field_budgets: required

mappings:
  # GA is a full semantic version and nothing else: no pre-release part, no leading zeros.
  - regex: 'v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?'
    stage: GA
    examples: [v1.2.3, v0.1.0, v10.20.30, v1.2.3+build.7]
  # Release candidates: v*-rc.* with a full version in front and a number behind.
  - regex: 'v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)-rc\.(0|[1-9][0-9]*)'
    stage: PRE_GA
    examples: [v1.2.3-rc.1, v2.0.0-rc.10]
  - pattern: main
    stage: PILOT
    examples: [main, refs/heads/main]
  # Everything else, including v1.2.3-beta.1, v1.2 and 1.2.3, is a pilot.
  - pattern: '*'
    stage: PILOT
    examples: [feature/x, v1.2.3-beta.1, v1.2, vfoo, 1.2.3]

# Per-gate settings. `evidence` is a file (or list of files), relative to the workspace,
# holding {"ok": true|false, "code": ..., "message": ..., "details": {...}}.
# Without evidence, promotion_guard reads the commit's checks from the GitHub API; these are
# its settings, with their defaults (docs/promotion-guard.md):
gates: {}
#  promotion_guard:
#    required_checks: []        # names, globs or {name, app}; empty: every check on the commit
#    ignore: []
#    pass_conclusions: [success]  # neutral, skipped: opt-in; never pass alone
#    allow_missing: false
#    min_checks: 1
#    wait: {timeout: 600, interval: 15}   # seconds; used with --wait
#    time_budget: 120           # seconds without --wait
"""
