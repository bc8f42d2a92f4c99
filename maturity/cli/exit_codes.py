"""Exit codes of every command, and the text ``--help`` shows for them."""

from __future__ import annotations

EXIT_GO, EXIT_NO_GO, EXIT_ERROR = 0, 1, 2

EXIT_CODES = """exit codes:
  0  GO (evaluate), clean (validate), done (other commands)
  1  NO-GO (evaluate), problems found (validate), a broken chain (audit verify),
     a ref that would change stage (migrate)
  2  usage, config, ref, environment or output error: no verdict, no report written"""
