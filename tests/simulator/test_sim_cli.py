"""`python -m veo_desktop.simulator` runs in the foreground and reports its counters on /_sim/stats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_cli_serves_and_reports_stats() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["--port", "0", "--speed", "100", "--api-key", "cli-key", "--slots", "1", "--latency", "5", "5"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "veo_desktop.simulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith('Veo simulator (API key "cli-key" in x-goog-api-key) listening on http://127.0.0.1:'), (
            line
        )
        base_url = line.rsplit(" ", 1)[1]
        hosts = [proc.stdout.readline().strip() for _ in range(5)]
        assert hosts[3].startswith("OAuth token endpoint (token_uri): http://127.0.0.1:") and hosts[3].endswith(
            "/token"
        )
        with httpx.Client(base_url=base_url, trust_env=False, timeout=10) as http:
            body = {"instances": [{"prompt": "cli"}], "parameters": {"durationSeconds": 4}}
            path = "/v1beta1/publishers/google/models/veo-3.1-fast-generate-001:predictLongRunning"
            assert http.post(path, json=body, headers={"x-goog-api-key": "cli-key"}).status_code == 200
            assert http.post(path, json=body, headers={"x-goog-api-key": "cli-key"}).status_code == 429  # 1 slot
            stats = http.get("/_sim/stats").json()
        assert stats["accepted_starts"] == 1
        assert stats["peak_in_flight"] == 1
        assert stats["key_seen_on_hosts"] == ["127.0.0.1"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        finally:
            assert proc.stdout is not None and proc.stderr is not None
            proc.stdout.close()
            proc.stderr.close()
    assert proc.returncode == 0


def test_app_cli_simulate_names_its_key_and_writes_a_service_account(tmp_path: Path) -> None:
    """`veo-desktop-cli simulate`: the first line names the key; the key file it writes works with google-auth."""
    google_sa = pytest.importorskip("google.oauth2.service_account")
    from google.auth.transport.requests import Request

    key_file = tmp_path / "sa.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "VEO_DESKTOP_HOME": str(tmp_path / "home")}
    args = ["simulate", "--port", "0", "--api-key", "k-123", "--latency", "5", "--write-service-account", str(key_file)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "veo_desktop.cli.main", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip() for _ in range(7)]
        assert lines[0].startswith('Veo simulator (API key "k-123" in x-goog-api-key) listening on http://127.0.0.1:')
        assert lines[6].endswith(f"written to {key_file}")
        info = json.loads(key_file.read_text())
        assert info["token_uri"].startswith("http://127.0.0.1:") and info["token_uri"].endswith("/token")
        creds = google_sa.Credentials.from_service_account_info(
            info, scopes=["https://www.googleapis.com/auth/cloud-platform"]
        )
        creds.refresh(Request())
        assert creds.token.startswith("ya29.sim-")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        finally:
            assert proc.stdout is not None and proc.stderr is not None
            proc.stdout.close()
            proc.stderr.close()
    assert proc.returncode == 0
