"""Reading a batch file for `submit --from`: the file's rows (core/batch.py) made into requests, with each
row's frames read into the frames folder. Any bad line refuses the whole file with every line number."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from veo_desktop.core.batch import (
    MAX_FILE_BYTES,
    BatchRefused,
    BatchRow,
    LineError,
    apply_row,
    default_batch_name,
    looks_like_csv,
    parse_batch,
)
from veo_desktop.core.request import FrameRef, GenerationRequest
from veo_desktop.core.validation import ValidationError

if TYPE_CHECKING:
    from veo_desktop.composition import RunningEngine


@dataclass(frozen=True, slots=True)
class Batch:
    name: str
    requests: tuple[GenerationRequest, ...]
    lines: tuple[int, ...]  # the file's line of each request


def _read_text(path: Path) -> str:
    name = path.name
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValidationError(
                "batch", f"Batch file {name} is over {MAX_FILE_BYTES // 1024 // 1024} MB; split it into smaller files."
            )
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ValidationError("batch", f"Batch file {name} was not found; check the path.") from exc
    except IsADirectoryError as exc:
        raise ValidationError("batch", f"Batch file {name} is a folder; choose a text or CSV file.") from exc
    except OSError as exc:
        raise ValidationError("batch", f"Batch file {name} could not be read ({exc.strerror or exc}).") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BatchRefused([LineError(line, "the file is not UTF-8 text; save it as UTF-8")]) from exc


async def read_batch(
    running: RunningEngine, path: Path, base: GenerationRequest, imported: list[FrameRef], *, name: str | None
) -> Batch:
    """The file's requests (not yet validated by the engine) or BatchRefused; frames go to `imported`."""
    text = await asyncio.to_thread(_read_text, path)
    parsed = parse_batch(text, csv_format=looks_like_csv(path.name, text))
    if parsed.errors:
        raise BatchRefused(parsed.errors)
    base = base.with_changes(batch=name if name is not None else default_batch_name(path.name))
    requests, errors = [], []
    for row in parsed.rows:
        try:
            requests.append(await _request(running, row, base, path.parent, imported))
        except ValidationError as exc:
            errors.append(LineError(row.line, exc.message))
    if errors:
        raise BatchRefused(errors)
    return Batch(base.batch, tuple(requests), tuple(r.line for r in parsed.rows))


async def _request(
    running: RunningEngine, row: BatchRow, base: GenerationRequest, folder: Path, imported: list[FrameRef]
) -> GenerationRequest:
    request = apply_row(row, base)
    for field, written in (("start_frame", row.start_frame), ("end_frame", row.end_frame)):
        if written is not None:
            frame = await running.engine.import_frame(folder / written, field=field)
            imported.append(frame)
            request = request.with_changes(**{field: frame})
    return request
