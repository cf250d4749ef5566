"""A clone in any folder works alone: nothing in the repository points at a file
outside it (the design notes beside the repository, or this machine's folders)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUTSIDE = re.compile(r"\.\./shared\b|\bshared/(design|data)\b|/work/")


def test_no_file_refers_to_a_folder_outside_the_repository() -> None:
    tracked = (
        subprocess.run(
            ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
        )
        .stdout.decode()
        .split("\0")
    )
    found = []
    for name in filter(None, tracked):
        path = REPO / name
        if path == Path(__file__) or path.suffix in {".lock", ".csv", ".png", ".json"}:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        found += [
            f"{name}:{number}"
            for number, line in enumerate(text.splitlines(), 1)
            if OUTSIDE.search(line)
        ]
    assert found == []
