"""The layering contracts in `.importlinter` (import-linter) hold for the product, and each one fails when an
arrow is turned around: a copy of the package with one forbidden import added must break that contract."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(root / ".importlinter")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_product_keeps_every_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "resources")
    shutil.copytree(ROOT / "veo_desktop", root / "veo_desktop", ignore=ignore)
    (root / "tests").mkdir()
    (root / "tests" / "__init__.py").write_text("")
    (root / "tests" / "helpers.py").write_text("VALUE = 1\n")
    shutil.copy(ROOT / ".importlinter", root / ".importlinter")
    return root


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("core/jobs.py", "import sqlite3", "The core imports no Qt"),
        ("core/money.py", "import httpx", "The core imports no Qt"),
        ("ui/queue/status_text.py", "from veo_desktop.store import sqlite", "The front ends (ui, cli)"),
        ("cli/output.py", "from veo_desktop.client import base", "The front ends (ui, cli)"),
        ("store/rows.py", "from veo_desktop.cli import output", "never import a front end"),
        ("engine/snapshot.py", "from tests import helpers", "No product module imports the test suite"),
    ],
)
def test_a_turned_arrow_breaks_its_contract(tmp_path: Path, module: str, line: str, contract: str) -> None:
    root = _copy(tmp_path)
    target = root / "veo_desktop" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    result = lint_imports(root)
    assert result.returncode != 0, result.stdout
    assert "1 broken" in result.stdout, result.stdout
    broken = [text for text in result.stdout.splitlines() if text.endswith("BROKEN")]
    assert any(contract in text for text in broken) or contract in result.stdout.split("Broken contracts")[-1]
