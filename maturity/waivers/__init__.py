"""Waivers: a reviewed, owned, dated acceptance of one known failure (``ci/maturity-waivers.yml``).

A waiver names a gate and a glob on a finding's stable id (``check:e2e@*``,
``evidence:dist/*.json``, ...). While it is valid, the failing findings it matches stop counting;
a gate whose every failing finding is waived gets the status ``waived``, which does not block
but is never shown as a plain pass.

- ``models.py``: the file's schema (pydantic; ``schemas/maturity-waivers.schema.json`` is made
  from it); ``types.py``: :class:`Waiver` and :class:`WaiverSet`, what the rest of the tool sees;
- ``load.py``: the file to a :class:`WaiverSet` (``evaluate``), or to located problems
  (``validate``, with the advisory checks of ``checks.py``);
- ``apply.py``: :func:`apply_waivers`, the pure step that applies them to gate results.

A freeze window is never waived: it is overridden (break glass), by an allowed actor, per run.
"""

from __future__ import annotations

from maturity.config.defaults import DEFAULT_WAIVERS_PATH

__all__ = ["DEFAULT_WAIVERS_PATH"]
