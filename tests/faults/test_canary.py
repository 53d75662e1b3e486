"""Campaign 7: a fake Google-shaped key through a full scenario in both dialects must appear nowhere but where
it must (logs, database bytes, library and sidecars, exception texts, requests to any host but the API's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from veo_desktop.bench.faults import canary


@pytest.mark.timeout(120)
def test_canary_key_appears_nowhere(tmp_path: Path) -> None:
    table = canary.run(full=False, workdir=tmp_path)
    assert table.ok, table.render()
    key = canary.make_canary()
    assert key.startswith("AIza") and len(key) == 39
    # The scan itself works: the key is in the simulator's configuration only, and a planted copy is found.
    planted = tmp_path / "canary-vertex" / "library" / "planted.json"
    planted.write_text(key)
    from veo_desktop.bench.faults.invariants import check_invariants

    report = check_invariants(
        tmp_path / "canary-vertex" / "data" / "veo-desktop.sqlite3",
        tmp_path / "canary-vertex" / "library",
        None,
        canary=key,
    )
    assert any("planted.json" in v for v in report.violations)
