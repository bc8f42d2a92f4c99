"""``maturity evaluate``: options, output folder, decision, publication, exit code."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from maturity.cli.exit_codes import EXIT_GO, EXIT_NO_GO
from maturity.cli.output import err, out


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from maturity.cli.options import evaluate_options
    from maturity.evaluate import run_evaluate
    from maturity.report.atomic import check_output_folder
    from maturity.report.publish import Destination, Streams, publish

    options = evaluate_options(args)
    check_output_folder(options.output_dir)  # at once: a wrong --output-dir fails before a --wait
    environment = dict(env)  # one snapshot for the decision and its outputs
    report, note = run_evaluate(options.run, environment)
    destination = Destination(options.output_dir, options.stdout_format)
    published = publish(report, note, destination, environment, Streams(out, err))
    return EXIT_GO if published.verdict == "GO" else EXIT_NO_GO
