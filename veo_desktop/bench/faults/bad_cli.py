"""The bad-input catalogue as a person meets it: `veo-desktop-cli` in a subprocess against hostile stores,
disks, images and arguments. Each case has the exit code it must end with (2 bad input, 4 store unusable),
prints one sentence (argument errors: the error line and a hint to `--help`), never a traceback, and leaves
nothing stored, charged or left on disk: the frames folder as it was, no job or ledger row, and a store that
cannot be used is byte for byte the file it was.

Permission cases need a process that obeys file modes. Root does not, so as root the CLI runs under
`setpriv` without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH, and a probe proves the mode bites before the case
counts. The disk cases (a full disk, a read-only disk) mount a small tmpfs or a read-only bind and so need
root; without it they are reported as not run (tests/store covers the same errors at the connection seam).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from veo_desktop.bench.faults.report import Table

EXIT_USAGE, EXIT_STORE = 2, 4
LOCK_HOLD_NOTE = "another connection holds the write lock for the whole run"
_CLI = (sys.executable, "-m", "veo_desktop.cli")


# --- hostile files -----------------------------------------------------------------------------------------
def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def declared_png(width: int, height: int, total_bytes: int = 576) -> bytes:
    """A well-formed PNG header declaring width×height (1-bit grey) with just enough compressed pixels to
    make `total_bytes`: the shape of a decompression bomb, refused by its declared size."""
    rows = zlib.compress(b"\x00" * ((width + 7) // 8 + 1) * min(height, 2000), 9)
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    head = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
    idat = rows[: max(0, total_bytes - len(head) - 24)]
    return head + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def heic_header() -> bytes:
    return struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic" + b"\x00" * 64


def obeying_modes() -> list[str] | None:
    """A command prefix whose process obeys file modes: nothing for a normal user; for root, `setpriv`
    without the capabilities that bypass modes; None when that is not possible here."""
    if os.name != "posix":
        return None
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}", "--"]


def mode_bites(prefix: list[str], path: Path) -> bool:
    """True when a process run with `prefix` cannot open `path` for appending (the mode really refuses)."""
    probe = "import sys\ntry:\n    open(sys.argv[1], 'a').close()\nexcept OSError:\n    sys.exit(3)"
    done = subprocess.run([*prefix, sys.executable, "-c", probe, str(path)], capture_output=True, check=False)
    return done.returncode == 3


@contextlib.contextmanager
def mounted(target: Path, *options: str, source: str = "tmpfs") -> Iterator[None]:
    """Mount (root only) and always unmount; raises OSError when mounting is not possible here."""
    target.mkdir(parents=True, exist_ok=True)
    _mount(*options, source, str(target))
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True, check=False)


def remount_read_only(target: Path) -> None:
    _mount("-o", "remount,ro,bind", str(target))


def _mount(*args: str) -> None:
    mount = shutil.which("mount")
    if mount is None or os.name != "posix" or os.geteuid() != 0:
        raise OSError("mounting a file system needs root")
    done = subprocess.run([mount, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise OSError(done.stderr.strip() or "mount failed")


def fill_disk(folder: Path) -> Path:
    """Write a ballast file until the disk holding `folder` has no space left."""
    ballast = folder / "ballast"
    fd = os.open(ballast, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\x00" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    return ballast


# --- one case ------------------------------------------------------------------------------------------------
class NotPossibleHere(Exception):
    """The case needs something this machine or user cannot give (root to mount, a way to obey modes)."""


@dataclass
class Place:
    """A case's sandbox: a home for the CLI (data, frames, logs), the store, and input files."""

    root: Path
    store: Path = Path()
    prefix: list[str] = field(default_factory=list)  # how the CLI is started (e.g. obeying file modes)
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.store = self.root / "store" / "queue.sqlite3"
        self.store.parent.mkdir(parents=True, exist_ok=True)

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def frames(self) -> Path:
        return self.home / "data" / "frames"

    def input(self, name: str, data: bytes) -> Path:
        path = self.root / "inputs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VEO_")}
        env.update(VEO_DESKTOP_HOME=str(self.home), GEMINI_API_KEY="sim-key", PYTHONUNBUFFERED="1")
        argv = [*self.prefix, *_CLI, "--store", str(self.store), *args]
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)

    def obey_modes(self, refused: Path) -> None:
        """Run the CLI as a process that obeys file modes, after proving that `refused` cannot be written."""
        prefix = obeying_modes()
        if prefix is None:
            raise NotPossibleHere("no way to run a process that obeys file modes (root without setpriv)")
        if not mode_bites(prefix, refused):
            raise NotPossibleHere(f"{refused.name} stays writable for this user: the case cannot be built")
        self.prefix = prefix


Setup = Callable[[Place], AbstractContextManager[None]]


@dataclass(frozen=True)
class CliCase:
    name: str
    exit_code: int
    args: Callable[[Place], list[str]]
    setup: Setup | None = None  # builds the hostile store or disk, and restores it afterwards
    unchanged_store: bool = False  # the store could not be used: it must be byte for byte what it was
    jobs_after: int | None = 0  # jobs (and charges) the store holds afterwards; None: only the bytes count


def submit_args(*extra: str) -> Callable[[Place], list[str]]:
    return lambda place: ["submit", "--prompt", "a lighthouse at dawn", *extra]


def frame_args(
    name: str,
    data: Callable[[], bytes],
    flag: str = "--start-frame",
    *,
    prompt: str = "a lighthouse at dawn",
    duration: str = "8",
) -> Callable[[Place], list[str]]:
    def args(place: Place) -> list[str]:
        path = place.input(name, data())
        return ["submit", "--prompt", prompt, "--duration", duration, flag, str(path)]

    return args


def store_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def store_rows(path: Path) -> tuple[int, int] | None:
    """(jobs, ledger rows) read through a read-only connection; None when it is not a readable queue."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        jobs = conn.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
        ledger = conn.execute("SELECT COUNT(*) FROM ledger").fetchone()[0]
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return int(jobs), int(ledger)


# --- running a case ------------------------------------------------------------------------------------------
@contextlib.contextmanager
def _nothing(place: Place) -> Iterator[None]:
    yield


def _names(folder: Path) -> set[str]:
    return set(os.listdir(folder)) if folder.is_dir() else set()


@dataclass
class Outcome:
    done: subprocess.CompletedProcess[str]
    frames_before: set[str]
    frames_after: set[str]
    digest_before: str | None
    digest_after: str | None
    rows: tuple[int, int] | None


def run_case(case: CliCase, root: Path) -> Outcome | str:
    """Run one case in its own sandbox; the outcome, or why it cannot run here."""
    place = Place(root)
    try:
        with (case.setup or _nothing)(place):
            frames_before, digest_before = _names(place.frames), store_digest(place.store)
            done = place.cli(*case.args(place))
            outcome = Outcome(
                done,
                frames_before,
                _names(place.frames),
                digest_before,
                store_digest(place.store),
                store_rows(place.store),
            )
    except NotPossibleHere as exc:
        return str(exc)
    done.stderr += "".join(f"\n[afterwards] {p}" for p in place.problems)
    return outcome


def message_of(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in (done.stderr + "\n" + done.stdout).splitlines() if line.strip()]
    return " / ".join(lines[-2:]) if lines[-1:] and "--help" in lines[-1] else (lines[-1] if lines else "")


def check_case(case: CliCase, out: Outcome) -> list[str]:
    """Every promise of the catalogue for one case; the broken ones as sentences."""
    done, bad = out.done, []
    text = done.stdout + done.stderr
    if done.returncode != case.exit_code:
        bad.append(f"exit code {done.returncode}, expected {case.exit_code}")
    if "Traceback" in text or "[afterwards]" in text:
        bad.append(f"printed a traceback or failed afterwards: {text.strip()[-300:]}")
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    if case.name.startswith("args:"):
        if "usage:" in text or len(lines) != 2 or "--help" not in lines[-1]:
            bad.append(f"an argument error must print the error line and a hint to --help only: {lines}")
    elif not (lines and lines[-1].startswith("error: ") and lines[-1].endswith(".") and len(lines[-1]) > 40):
        bad.append(f"the message is not one sentence on stderr: {lines[-3:]}")
    if out.frames_after != out.frames_before:
        bad.append(f"frame files were left behind: {sorted(out.frames_after - out.frames_before)}")
    if case.unchanged_store and out.digest_after != out.digest_before:
        bad.append("the store file was changed")
    jobs, ledger = out.rows if out.rows is not None else (0, 0)
    if case.jobs_after is not None and (jobs, ledger) != (case.jobs_after, case.jobs_after):
        bad.append(f"the store holds {jobs} jobs and {ledger} ledger rows, expected {case.jobs_after} of each")
    return bad


def run_cli_cases(cases: Sequence[CliCase], workdir: Path, table: Table) -> None:
    for i, case in enumerate(cases):
        out = run_case(case, workdir / f"cli-{i:02d}")
        if isinstance(out, str):
            table.add(case=case.name, via="cli", result="not run", exit="", message=out)
            table.totals["cli not run"] = table.totals.get("cli not run", 0) + 1
            continue
        problems = check_case(case, out)
        result = "refused" if out.done.returncode == case.exit_code else "WRONG"
        table.add(case=case.name, via="cli", result=result, exit=out.done.returncode, message=message_of(out.done))
        table.violations += [f"{case.name}: {p}" for p in problems]
