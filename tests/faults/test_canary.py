"""Campaign 7: a fake Google-shaped key, the service account's private key and the access tokens, through a
full scenario on every provider, must appear nowhere but where they must (logs, database bytes, library and
sidecars, exception texts, requests to any host but the API's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from veo_desktop.bench.faults import canary
from veo_desktop.bench.faults.engine_rig import PROVIDERS
from veo_desktop.bench.faults.invariants import check_invariants


@pytest.mark.timeout(120)
def test_canary_key_appears_nowhere(tmp_path: Path) -> None:
    table = canary.run(full=False, workdir=tmp_path)
    assert table.ok, table.render()
    assert [r["provider"] for r in table.rows] == list(PROVIDERS)
    project = next(r for r in table.rows if r["provider"] == "vertex-project")
    assert project["secrets sought"] > 20  # the key, the PEM, each line of its body, the key id, the tokens
    key = canary.make_canary()
    assert key.startswith("AIza") and len(key) == 39
    # The scan itself works: the key is in the simulator's configuration only, and a planted copy is found.
    planted = tmp_path / "canary-vertex" / "library" / "planted.json"
    planted.write_text(key)
    report = check_invariants(
        tmp_path / "canary-vertex" / "data" / "veo-desktop.sqlite3",
        tmp_path / "canary-vertex" / "library",
        None,
        canary=key,
    )
    assert any("planted.json" in v for v in report.violations)


def test_private_key_lines_and_tokens_would_be_found(tmp_path: Path) -> None:
    """One line of a PEM body in a sidecar, or a `ya29.` token in a log, is what the scan reports."""
    from veo_desktop.simulator import Simulator

    with Simulator() as sim:
        info = sim.service_account_info()
    needles = canary.private_key_needles(info)
    body_lines = [line for line in str(info["private_key"]).splitlines() if "PRIVATE KEY" not in line]
    assert set(body_lines[:-1]) <= set(needles) and info["private_key_id"] in needles
    sidecar = tmp_path / "library" / "job.json"
    sidecar.parent.mkdir()
    sidecar.write_text('{"note": "' + body_lines[3] + '"}')
    assert canary.ACCESS_TOKEN.search(b"Authorization: Bearer ya29.sim-AbCdEf0123456789")
    assert not canary.ACCESS_TOKEN.search(b"ya29 is a prefix, not a token")
    found = [n for n in needles if n.encode() in sidecar.read_bytes()]
    assert found == [body_lines[3]]
