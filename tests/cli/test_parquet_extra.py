"""Parquet is an optional extra (`openqi[parquet]`): without pyarrow, the CLI says how to get it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Blocks pyarrow as if it were not installed, then runs the CLI as `openqi` would.
_WITHOUT_PYARROW = """
import sys
sys.modules["pyarrow"] = None
from openqi.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_reading_parquet_without_the_extra_names_the_extra(tmp_path: Path) -> None:
    table = tmp_path / "series.parquet"
    table.write_bytes(b"PAR1 not really")
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_PYARROW, "spc", "--chart", "xmr", str(table)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "pip install 'openqi[parquet]'" in done.stderr
    assert not (tmp_path / "series.svg").exists()
