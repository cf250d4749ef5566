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
import queue
import sys
import threading
from collections.abc import Iterable, Sequence
from typing import BinaryIO

from openqi import __version__
from openqi.cli import charts, web
from openqi.cli.charts import Piece, piece_bytes
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


def _emit(text: str | bytes | Iterable[Piece], output: str | None) -> None:
    """Print ``text``, or write it to ``output`` through a temporary file renamed on success.

    ``text`` is a string, bytes (a Parquet file), or pieces written as they
    come (a large table, never held whole): text, bytes already in UTF-8, or a
    function giving such bytes (called in the thread that writes them).
    """
    if output is None:
        pieces = [text] if isinstance(text, (str, bytes)) else text
        for piece in pieces:
            if isinstance(piece, str):
                sys.stdout.write(piece)
            else:
                sys.stdout.flush()
                sys.stdout.buffer.write(piece_bytes(piece))
        sys.stdout.flush()
        return
    partial = os.path.join(
        os.path.dirname(os.path.abspath(output)),
        f".{os.path.basename(output)}.{os.getpid()}.partial",
    )
    try:
        with open(partial, "xb") as binary:
            if isinstance(text, (str, bytes)):
                binary.write(text.encode("utf-8") if isinstance(text, str) else text)
            else:
                _write_behind(binary, text)
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


def _write_behind(binary: BinaryIO, pieces: Iterable[Piece]) -> None:
    """Write ``pieces`` to ``binary`` from a second thread, so that the next piece
    is made while the last is finished and written (NumPy and the write leave
    the interpreter free meanwhile).

    At most two pieces wait; the first error finishing or writing one is raised
    here once the thread has stopped, and an error making one stops the thread.
    """
    ready: queue.SimpleQueue[Piece | None] = queue.SimpleQueue()
    room = threading.Semaphore(2)
    errors: list[BaseException] = []

    def write() -> None:
        while (piece := ready.get()) is not None:
            if not errors:
                try:
                    binary.write(piece_bytes(piece))
                except BaseException as exc:  # raised again by the caller
                    errors.append(exc)
            room.release()

    writer = threading.Thread(target=write, name="openqi-write", daemon=True)
    writer.start()
    try:
        for piece in pieces:
            room.acquire()
            if errors:
                break
            ready.put(piece)
    finally:
        ready.put(None)
        writer.join()
    if errors:
        raise errors[0]
