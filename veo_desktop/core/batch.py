"""Batch files: many prompts queued at once, from plain text or CSV. Pure: text in, rows or line errors out.

- Text: one prompt per line; blank lines and lines starting with `#` are skipped.
- CSV (a `.csv` file, or a first line that is a header naming `prompt`): one job per row, with the columns
  `prompt, negative_prompt, model, ratio, duration, resolution, seed, audio, start_frame, end_frame`;
  `prompt` is required, the others optional (an empty cell means the command line's value).

Line numbers are the file's own (1 = the first line), so a person can find the row. The whole file is
checked before anything is queued; one bad line refuses the whole file (`BatchRefused`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from veo_desktop.core.images import ValidationError
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.request_fields import MAX_BATCH_NAME_CHARS

COLUMNS = (
    "prompt",
    "negative_prompt",
    "model",
    "ratio",
    "duration",
    "resolution",
    "seed",
    "audio",
    "start_frame",
    "end_frame",
)
MAX_ROWS = 500
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ERRORS_SHOWN = 10
_YES = {"yes", "y", "true", "on", "1"}
_NO = {"no", "n", "false", "off", "0"}


@dataclass(frozen=True, slots=True)
class BatchRow:
    """One job of a batch file; None = not given in the file (the command line's value applies)."""

    line: int
    prompt: str
    negative_prompt: str | None = None
    model: str | None = None
    ratio: str | None = None
    duration_s: int | None = None
    resolution: str | None = None
    seed: int | None = None
    audio: bool | None = None
    start_frame: str | None = None  # a path as written in the file (relative to the file's folder)
    end_frame: str | None = None


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class BatchFile:
    rows: tuple[BatchRow, ...]
    errors: tuple[LineError, ...]


class BatchRefused(ValidationError):
    """A batch file with errors: nothing of it was queued or charged. `errors` has every bad line."""

    def __init__(self, errors: Sequence[LineError]) -> None:
        self.errors = tuple(sorted(errors, key=lambda e: e.line))
        shown = "; ".join(f"line {e.line}: {e.message.rstrip('.')}" for e in self.errors[:MAX_ERRORS_SHOWN])
        more = len(self.errors) - MAX_ERRORS_SHOWN
        tail = f"; and {more} more" if more > 0 else ""
        super().__init__(
            "batch", f"The batch file was not queued (nothing stored or charged); fix {shown}{tail}, then try again."
        )


def default_batch_name(file_name: str) -> str:
    """The batch name a file gives when none is chosen: its name without the extension."""
    stem = PurePath(file_name).stem.strip() or "batch"
    return stem[:MAX_BATCH_NAME_CHARS]


def looks_like_csv(file_name: str, text: str) -> bool:
    if PurePath(file_name).suffix.lower() == ".csv":
        return True
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    cells = [c.strip().strip('"').lower() for c in first.split(",")]
    return len(cells) > 1 and "prompt" in cells and all(c in COLUMNS for c in cells if c)


def parse_batch(text: str, *, csv_format: bool) -> BatchFile:
    """Rows of a batch file, or the errors of its bad lines (both kept, so every error is reported)."""
    text = text.removeprefix("\ufeff")
    rows, errors = _parse_csv(text) if csv_format else _parse_text(text)
    if not rows and not errors:
        errors.append(LineError(1, "the file has no prompts; write one prompt per line"))
    if len(rows) > MAX_ROWS:
        errors.append(LineError(rows[MAX_ROWS].line, f"a batch holds at most {MAX_ROWS} jobs; split the file"))
    return BatchFile(rows=tuple(rows), errors=tuple(errors))


def _parse_text(text: str) -> tuple[list[BatchRow], list[LineError]]:
    rows: list[BatchRow] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line and not line.startswith("#"):
            rows.append(BatchRow(line=number, prompt=line))
    return rows, []


def _parse_csv(text: str) -> tuple[list[BatchRow], list[LineError]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[BatchRow] = []
    errors: list[LineError] = []
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return [], [LineError(1, f"the header could not be read ({exc})")]
    names = [c.strip().lower() for c in header or []]
    problem = _header_problem(names)
    if problem:
        return [], [LineError(1, problem)]
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(LineError(start, f"the row could not be read ({exc})"))
            break
        if any(c.strip() for c in cells):
            try:
                rows.append(_row(start, names, cells))
            except ValueError as exc:
                errors.append(LineError(start, str(exc)))
        start = reader.line_num + 1
    return rows, errors


def _header_problem(names: list[str]) -> str | None:
    if not any(names):
        return "the header is empty; the first line names the columns, e.g. prompt,duration,seed"
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        return f"unknown column '{unknown[0]}'; the columns are {', '.join(COLUMNS)}"
    if "prompt" not in names:
        return "the header has no 'prompt' column; add one"
    repeated = next((n for n in names if names.count(n) > 1), None)
    if repeated:
        return f"the column '{repeated}' appears twice; keep one"
    return None


def _row(line: int, names: list[str], cells: list[str]) -> BatchRow:
    if len(cells) > len(names):
        raise ValueError(f"the row has {len(cells)} cells but the header names {len(names)} columns")
    values = {n: c.strip() for n, c in zip(names, cells, strict=False) if c.strip()}
    prompt = values.get("prompt", "")
    if not prompt:
        raise ValueError("the prompt is empty; describe the video you want")
    return BatchRow(
        line=line,
        prompt=prompt,
        negative_prompt=values.get("negative_prompt"),
        model=values.get("model"),
        ratio=values.get("ratio"),
        duration_s=_whole(values.get("duration"), "duration", suffix="s"),
        resolution=values.get("resolution"),
        seed=_whole(values.get("seed"), "seed"),
        audio=_switch(values.get("audio")),
        start_frame=values.get("start_frame"),
        end_frame=values.get("end_frame"),
    )


def _whole(value: str | None, column: str, *, suffix: str = "") -> int | None:
    if value is None:
        return None
    digits = value.lower().removesuffix(suffix).strip() if suffix else value
    if not digits.isdigit():
        raise ValueError(f"{column} '{value}' is not a whole number; write it like 8")
    return int(digits)


def _switch(value: str | None) -> bool | None:
    if value is None:
        return None
    word = value.lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValueError(f"audio '{value}' is not on or off; write yes or no")


def apply_row(row: BatchRow, base: GenerationRequest) -> GenerationRequest:
    """The request of one row: the command line's request with the row's own values over it (no frames:
    the caller reads the row's image files and sets them)."""
    changes: dict[str, object] = {"prompt": row.prompt}
    for attr, value in (
        ("negative_prompt", row.negative_prompt),
        ("model_id", row.model),
        ("aspect_ratio", row.ratio),
        ("duration_s", row.duration_s),
        ("resolution", row.resolution),
        ("seed", row.seed),
        ("generate_audio", row.audio),
    ):
        if value is not None:
            changes[attr] = value
    return base.with_changes(**changes)
