"""The ``openqi`` command line: parse the arguments, run one verb, print.

The verbs live in two modules that never import each other:

- :mod:`openqi.cli.charts`: ``openqi spc``, ``openqi funnel`` and
  ``openqi spc-batch``, which read a table (:mod:`openqi.tabular`) and call
  :mod:`openqi.spc`; nothing else;
- :mod:`openqi.cli.web`: ``openqi demo``, a thin entry to the web
  application's management commands; it imports Django only when run, and no
  OpenQI app at all.

This module only builds the parser and dispatches, and it is the only place
that prints. :mod:`openqi.cli.walkthrough` is separate: it runs the chart
verbs on real public A&E data (``make spc-walkthrough``).

Exit status: 0 on success, 2 on bad input (one line on standard error naming the
row and the fix; no output file is written).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence

from openqi import __version__
from openqi.cli import charts, web
from openqi.cli.errors import InputError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The ``openqi`` argument parser, with one sub-parser per verb."""
    parser = argparse.ArgumentParser(
        prog="openqi",
        description="Statistical process control to the NHS Making Data Count standard:\n"
        "control and run charts, funnel plots and many-series summaries from CSV,\n"
        "Excel or Parquet files.",
        epilog="Run `openqi VERB --help` for each verb's options. Exit status: 0 on "
        "success, 2 on bad input.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"openqi {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    charts.add_verbs(verbs)
    web.add_verbs(verbs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 success, 2 bad input)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else 2
    try:
        text, output = args.run(args)
        _emit(text, output)
    except ValueError as exc:  # TableError, InputError and the library's own
        message = " ".join(str(exc).split())
        print(f"error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `openqi ... | head` closed the pipe: not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return 0


def _emit(text: str | bytes | Iterable[str | bytes], output: str | None) -> None:
    """Print ``text``, or write it to ``output`` through a temporary file renamed on success.

    ``text`` is a string, bytes (a Parquet file), or pieces written as they
    come (a large table, never held whole): text, or bytes already in UTF-8.
    """
    pieces = [text] if isinstance(text, (str, bytes)) else text
    if output is None:
        for piece in pieces:
            if isinstance(piece, str):
                sys.stdout.write(piece)
            else:
                sys.stdout.flush()
                sys.stdout.buffer.write(piece)
        sys.stdout.flush()
        return
    partial = os.path.join(
        os.path.dirname(os.path.abspath(output)),
        f".{os.path.basename(output)}.{os.getpid()}.partial",
    )
    try:
        with open(partial, "xb") as binary:
            for piece in pieces:
                binary.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
        os.replace(partial, output)
    except OSError as exc:
        if os.path.exists(partial):
            os.unlink(partial)
        raise InputError(
            f"cannot write {output}: {exc.strerror or exc}; check the folder exists and is writable"
        ) from None
    except BaseException:  # no half-written file is left behind
        if os.path.exists(partial):
            os.unlink(partial)
        raise
