"""The audit log: one hash-chained JSON line per ``evaluate --audit-log`` run.

Each line is a JSON object with ``seq`` (its 1-based line number) and ``prev`` (the sha256 of
the previous line's bytes, without its newline; 64 zeros for the first line), so editing,
removing, inserting or reordering lines breaks the chain where it happened. ``docs/audit-log.md``
says what the log proves and what it cannot.

- ``lines.py``: reading a log: one bounded line at a time, under a snapshot of its size;
- ``chain.py``: the chain rule and :func:`~maturity.audit.chain.append_entry` (locked, atomic);
- ``verify.py``: :func:`~maturity.audit.verify.verify_log`, the first bad line and what is wrong;
- ``show.py``: the entries as a table (text, Markdown) or JSON.

Nothing is imported here: ``evaluate`` loads only ``chain`` (and what it needs).
"""
