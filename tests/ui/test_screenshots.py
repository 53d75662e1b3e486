"""scripts/screenshots.py in its reduced mode: the real window against the simulator, two states, offscreen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "screenshots.py"


@pytest.mark.slow  # about 15 s: it waits for simulated generations to finish and to fail (at 5× the README's speed)
@pytest.mark.skipif(not SCRIPT.is_file(), reason="not a source checkout")
def test_the_script_saves_non_blank_screenshots(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    out = tmp_path / "shots"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(out), "--states", "empty,queue", "--size", "1280x800", "--speed", "25"],
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(p.name for p in out.iterdir()) == ["empty.png", "queue.png"]
    for path in out.iterdir():
        with Image.open(path) as image:
            assert image.size == (1280, 800)  # the window fits a 1280×800 laptop screen
            colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
            assert colours is None or len(colours) > 100, f"{path.name} looks blank"
