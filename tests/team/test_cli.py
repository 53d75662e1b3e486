"""`veo-desktop-cli team ...` and `--store postgresql://...` against the throwaway PostgreSQL."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.store import pg
from tests.store.helpers import COST, new_jobs
from veo_desktop.cli.main import main
from veo_desktop.settings import load_settings
from veo_desktop.store.postgres.schema import SCHEMA_VERSION
from veo_desktop.store.postgres.store import PostgresStore


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VEO_DESKTOP_HOME", str(tmp_path))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")  # refused: not secure
    monkeypatch.delenv("PGPASSWORD", raising=False)
    return tmp_path


def _cli(capsys: pytest.CaptureFixture[str], *argv: str, stdin: str = "") -> tuple[int, Any]:
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        code = main(["--json", *argv])
    finally:
        sys.stdin = old
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    return code, lines[-1] if lines else None


def test_init_is_idempotent_and_creators_join(
    pg_cluster: pg.Cluster, pg_db: str, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    admin_url = pg_cluster.admin_url(pg_db)
    now = {"from_version": SCHEMA_VERSION, "schema_version": SCHEMA_VERSION}
    assert _cli(capsys, "team", "init", admin_url) == (0, now)
    assert _cli(capsys, "team", "migrate", admin_url)[1] == now
    code, out = _cli(
        capsys, "--store", admin_url, "team", "add-creator", "caio", "--password-stdin", stdin="s3cret-pw\n"
    )
    assert (code, out) == (0, {"creator": "caio", "admin": False})
    url = pg_cluster.creator_url(pg_db, "caio")
    code, out = _cli(capsys, "team", "join", url, "--password-stdin", stdin="s3cret-pw\n")
    assert code == 0 and out["password_in"] == "PGPASSWORD"  # no secure keyring here: nothing stored
    settings_text = (home / "config" / "settings.json").read_text(encoding="utf-8")
    assert load_settings(home / "config" / "settings.json").team_url == url
    assert "s3cret-pw" not in settings_text
    _assert_password_nowhere(pg_cluster, pg_db, home, "s3cret-pw")
    code, out = _cli(capsys, "team", "status")
    assert code == 0 and out["creator"] == "caio" and out["max_in_flight"] == 2
    assert {d["creator"] for d in out["desktops"]} == {"caio"}
    with PostgresStore(url, desktop_id="caio-desk") as caio:
        (waiting,) = caio.enqueue(new_jobs(1), now_ms=0, day_start_ms=0)
    code, out = _cli(capsys, "--store", admin_url, "team", "remove-creator", "caio")
    assert (code, out) == (0, {"creator": "caio", "cancelled": 1})
    raw = pg.Raw(admin_url)
    try:  # cancelled and refunded, with an event, as if caio had cancelled it
        assert raw("SELECT status, refunded_micros FROM veo.jobs WHERE id = ?", (waiting.id,)) == [("cancelled", COST)]
        assert raw("SELECT to_status FROM veo.events WHERE job_id = ? ORDER BY id", (waiting.id,)) == [
            ("queued",),
            ("cancelled",),
        ]
        assert raw("SELECT integrity_check FROM veo_api.integrity_check()") == [("ok",)]
    finally:
        raw.close()
    code, out = _cli(capsys, "team", "status")
    assert code == 4 and "refused the login" in out["error"]
    assert _cli(capsys, "team", "leave") == (0, {"team_url": None})
    assert load_settings(home / "config" / "settings.json").team_url == ""


def _assert_password_nowhere(cluster: pg.Cluster, db: str, home: Path, password: str) -> None:
    """I8: the server keeps a SCRAM verifier only; no dump of the database, no file of the desktop holds it."""
    raw = pg.Raw(cluster.admin_url(db))
    try:
        (verifier,) = raw("SELECT rolpassword FROM pg_authid WHERE rolname = 'caio'")[0]
    finally:
        raw.close()
    assert verifier.startswith("SCRAM-SHA-256$") and password not in verifier
    bindir = pg.pg_bin()
    if bindir is not None:
        dump = subprocess.run(
            [str(bindir / "pg_dump"), "--dbname", cluster.admin_url(db)], capture_output=True, check=True, timeout=60
        ).stdout
        assert b"veo.jobs" in dump or b"CREATE TABLE veo" in dump
        assert password.encode() not in dump
    for path in home.rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes(), path


@pytest.mark.parametrize(
    "url,words",
    [
        ("postgresql://ana:hunter22@127.0.0.1/veo", "holds a password"),
        ("postgresql://ana@db.studio.example/veo", "sslmode=verify-full"),
        ("postgresql://ana@db.studio.example/veo?sslmode=require", "sslmode=verify-full"),
        ("postgresql://127.0.0.1/veo", "names no creator"),
    ],
)
def test_join_refuses_unsafe_urls(home: Path, capsys: pytest.CaptureFixture[str], url: str, words: str) -> None:
    code, out = _cli(capsys, "team", "join", url)
    assert code == 2 and words in out["error"]
    assert "hunter22" not in out["error"]
    assert not (home / "config" / "settings.json").exists()


def test_the_cli_runs_jobs_through_the_team_store(
    pg_cluster: pg.Cluster, pg_db: str, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = pg.Raw(pg_cluster.admin_url(pg_db))
    raw("UPDATE veo.settings SET test_clock = false")  # the dispatcher's scaled clock must not date claims
    raw("UPDATE veo.pool SET max_starts_per_minute = 0")  # the rate window is in real (database) time
    raw.close()
    url = pg_cluster.creator_url(pg_db, "ana")
    argv = ["--store", url, "--simulate", "--sim-speed", "200", "submit", "--prompt", "a fox", "--count", "3"]
    code, out = _cli(capsys, *argv, "--wait")
    assert code == 0, out
    with PostgresStore(url, desktop_id="check") as store:
        jobs = store.list_jobs()
        assert [j.status.value for j in jobs] == ["completed"] * 3
        assert all(Path(j.outputs[0].path).exists() for j in jobs)
        assert store.integrity_check() == "ok"
