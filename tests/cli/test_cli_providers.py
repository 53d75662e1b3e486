"""The CLI end to end per provider: `veo-desktop-cli` as a subprocess against `veo-desktop-cli simulate` in
another, 5 jobs per provider (Vertex express with a key; Vertex with a project and a service-account key file
the simulator wrote; Gemini Omni with an AI Studio key), at most 2 in flight at the simulator, 5 playable MP4s
of the requested duration, and the service account's private key in no log, database or sidecar."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from veo_desktop.store.base import NewJob
from veo_desktop.store.sqlite import SqliteStore

SPEED = "50"


@dataclass(frozen=True)
class Sim:
    hosts: dict[str, str]  # vertex, regional, gemini
    key_file: Path


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[Sim]:
    key_file = tmp_path / "service-account.json"
    cmd = [
        sys.executable, "-m", "veo_desktop.cli", "simulate", "--port", "0", "--speed", SPEED,
        "--latency", "20", "40", "--slots", "2", "--write-service-account", str(key_file),
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEO_")}
    env["VEO_DESKTOP_HOME"] = str(tmp_path / "sim-home")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(7)]
        assert "listening on" in lines[0], lines
        words = {"regional": "Vertex AI regional", "gemini": "Gemini API", "vertex": "Vertex AI ("}
        hosts = {name: next(ln.split()[-1] for ln in lines if mark in ln) for name, mark in words.items()}
        assert "written to" in lines[-1] and key_file.exists()
        yield Sim(hosts, key_file)
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


def sim_stats(base: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/_sim/stats", timeout=5) as resp:  # noqa: S310 (loopback)
        return json.loads(resp.read())


def cli(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEO_") and k != "GOOGLE_APPLICATION_CREDENTIALS"}
    env.update(VEO_DESKTOP_HOME=str(home), GEMINI_API_KEY="sim-key", PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-m", "veo_desktop.cli", "--sim-speed", SPEED, "--starts-per-minute", "0", "--json", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def mvhd_duration_s(data: bytes) -> float:
    """The movie's duration from its `mvhd` box (version 0 or 1)."""
    at = data.index(b"mvhd") + 4
    if data[at] == 1:
        timescale, duration = struct.unpack(">IQ", data[at + 20 : at + 32])
    else:
        timescale, duration = struct.unpack(">II", data[at + 12 : at + 20])
    return duration / timescale


def provider_args(sim: Sim, provider: str) -> list[str]:
    if provider == "vertex":
        return ["--api-base", sim.hosts["vertex"]]
    if provider == "gemini":
        return ["--provider", "gemini", "--api-base", sim.hosts["gemini"]]
    project = json.loads(sim.key_file.read_text())["project_id"]
    return [
        "--provider", "vertex-project", "--api-base", sim.hosts["regional"],
        "--project", project, "--credentials", str(sim.key_file),
    ]  # fmt: skip


def private_key_lines(key_file: Path) -> list[str]:
    pem = json.loads(key_file.read_text())["private_key"]
    lines = [ln for ln in pem.splitlines() if len(ln) >= 16 and "PRIVATE KEY" not in ln]
    assert len(lines) > 10
    return [pem, json.dumps(pem)[1:-1], *lines]


def files_containing(root: Path, needles: list[str]) -> list[Path]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if any(n.encode() in data for n in needles):
                found.append(path)
    return found


@pytest.mark.parametrize(("provider", "duration_s"), [("vertex", 4), ("vertex-project", 6), ("gemini", 5)])
def test_five_jobs_per_provider_end_to_end(tmp_path: Path, sim: Sim, provider: str, duration_s: int) -> None:
    home = tmp_path / "home"
    args = provider_args(sim, provider)
    prompt = f"a lighthouse at dawn, {provider}"
    result = cli(home, *args, "submit", "--prompt", prompt, "--duration", str(duration_s), "--count", "5", "--wait")
    assert result.returncode == 0, result.stderr + result.stdout
    done = json.loads(result.stdout.strip().splitlines()[-1])["done"]
    assert [j["status"] for j in done] == ["completed"] * 5
    for job in done:
        path = Path(job["outputs"][0]["path"])
        data = path.read_bytes()
        assert data[4:8] == b"ftyp" and b"moov" in data
        assert mvhd_duration_s(data) == pytest.approx(duration_s, abs=0.1)
        sidecar = json.loads(path.with_suffix(".json").read_text())
        assert sidecar["provider"] == provider and sidecar["sent"]["duration_s"] == duration_s
    host = sim.hosts["gemini" if provider == "gemini" else "vertex"]
    stats = sim_stats(host)
    assert stats["accepted_starts"] == 5 and stats["starts_by_provider"] == {provider: 5}
    assert stats["peak_in_flight"] <= 2
    if provider == "vertex-project":
        assert stats["token_grants"] >= 1
    ledger = json.loads(cli(home, *args, "ledger").stdout)
    charged = sum(e["amount_usd"] for e in ledger["entries"] if e["kind"] == "charge")
    refunded = sum(e["amount_usd"] for e in ledger["entries"] if e["kind"] == "refund")
    assert ledger["balance_usd"] == pytest.approx(charged - refunded)
    assert len([e for e in ledger["entries"] if e["kind"] == "charge"]) == 5
    refunds = [e for e in ledger["entries"] if e["kind"] == "refund"]
    if provider == "gemini":  # Omni: the unused estimate comes back from Google's usage tokens, once per job
        cost = {j["id"]: j["cost_usd"] for j in done}
        assert sorted(e["job_id"] for e in refunds) == sorted(cost)
        assert all(0 < e["amount_usd"] < cost[e["job_id"]] for e in refunds)
        assert all(
            "refunded" in j["note"] for j in (json.loads(cli(home, *args, "show", d["id"]).stdout) for d in done)
        )
    else:
        assert refunds == []
    secrets = private_key_lines(sim.key_file)
    assert files_containing(home, secrets) == []  # logs, the database, videos and sidecars
    assert not any(s in result.stdout + result.stderr for s in secrets)


def test_move_retired_from_the_cli(tmp_path: Path, sim: Sim) -> None:
    home = tmp_path / "home"
    store_path = tmp_path / "queue.sqlite3"
    base = ["--store", str(store_path), "--api-base", sim.hosts["vertex"]]
    assert cli(home, *base, "list").returncode == 0  # creates the database
    from veo_desktop.core.request import GenerationRequest

    legacy = GenerationRequest(model_id="veo-3.1-fast-generate-preview", prompt="an old gemini job", duration_s=4)
    with SqliteStore(store_path) as store:
        store.enqueue([NewJob("jlegacy", legacy, 1_000_000, "gemini")], now_ms=1, day_start_ms=0)
    moved = cli(home, *base, "move-retired", "--to", "veo-3.1-fast-generate-001")
    assert moved.returncode == 0, moved.stderr + moved.stdout
    [job] = json.loads(moved.stdout)["moved"]
    assert (job["id"], job["model"]) == ("jlegacy", "veo-3.1-fast-generate-001")
    run = cli(home, *base, "run")
    assert run.returncode == 0, run.stderr
    shown = json.loads(cli(home, *base, "show", "jlegacy").stdout)
    assert shown["status"] == "completed"
    with SqliteStore(store_path) as store:
        assert store.get("jlegacy").provider == "vertex"
