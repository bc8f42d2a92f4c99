"""Checks on a commit (check runs and commit statuses) and the rules that judge them.

``model`` is the internal, source-neutral form; ``settings`` the gate's configuration;
``judge`` the pure decision; ``saved_answer`` reads a saved API answer (``--checks-file``).
"""
