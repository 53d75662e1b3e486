"""The catalogue a running engine uses, shared by the engine service and the dispatcher's parts.

It changes while the app runs: the account's model listing adds ids (`merge_remote`), and a model Google
answers 404 for is retired here and in the user catalogue file (`user_catalogue_retiring`), so it stays
retired after a restart. Readers take `current` each time they need it; nothing keeps an old copy.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from veo_desktop.core.catalogue import Catalogue, ModelInfo
from veo_desktop.core.catalogue_sources import mark_retired, merge_remote, provider_of_job, user_catalogue_retiring
from veo_desktop.core.jobs import Job

log = logging.getLogger(__name__)


class LiveCatalogue:
    def __init__(self, catalogue: Catalogue, *, user_file: Path | None = None) -> None:
        self.current = catalogue
        self.user_file = user_file

    def model(self, model_id: str) -> ModelInfo | None:
        return self.current.get(model_id)

    def max_generation_s(self, model_id: str, default_s: float) -> float:
        model = self.current.get(model_id)
        return float(model.max_generation_s) if model is not None and model.max_generation_s else default_s

    def provider_of(self, job: Job) -> str:
        """The provider a stored job belongs to (old `gemini` rows with a Veo model are `gemini-veo`)."""
        return provider_of_job(self.current, job.request.model_id, job.provider)

    def held_models(self) -> frozenset[str]:
        """Models no job may start on: retired ones (their waiting jobs are held, not failed)."""
        return frozenset(m.id for m in self.current.models if m.retired)

    def is_held(self, job: Job) -> bool:
        model = self.current.get(job.request.model_id)
        return (model is not None and model.retired) or self.provider_of(job) == "gemini-veo"

    def merge(self, remote: Mapping[str, str], now_ms: int, *, provider: str) -> Catalogue:
        """Merge what the account lists now (id → display name); new ids appear, nothing disappears."""
        self.current = merge_remote(self.current, list(remote), now_ms, provider=provider, display_names=remote)
        return self.current

    def retire(self, model_ids: Iterable[str], now_ms: int) -> None:
        """Mark models retired now and in the user catalogue file (blocking file I/O: call it in a thread).
        A file that cannot be written is logged; the running catalogue is retired anyway."""
        ids = list(dict.fromkeys(model_ids))
        self.current = mark_retired(self.current, ids, now_ms)
        if self.user_file is None or not ids:
            return
        try:
            old = self.user_file.read_text(encoding="utf-8") if self.user_file.exists() else None
        except (OSError, UnicodeDecodeError):
            old = None
        try:
            _write_atomically(self.user_file, user_catalogue_retiring(old, ids, now_ms))
        except OSError:
            log.warning("could not record the retired models %s in %s", ids, self.user_file, exc_info=True)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".models-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
