"""Downloading finished videos into the library: stream to `.part`, verify, fsync, rename, record, sidecar.

Idempotent: a download interrupted at any point is simply done again (the `.part` is rewritten); the job
completes only after every file is in place, so completed ⇔ the files exist and are whole (I6).
"""

from __future__ import annotations

import asyncio
import errno
import logging
import random
from pathlib import Path

from veo_desktop import faults
from veo_desktop.client.base import OperationStatus, VideoRef
from veo_desktop.core.clock import Clock
from veo_desktop.core.errors import AuthError, NotFoundError, VeoError
from veo_desktop.core.jobs import Job, VideoOutput
from veo_desktop.core.scheduling import backoff_s
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.engine.config import Notify, Providers
from veo_desktop.engine.outcomes import OutcomeRecorder
from veo_desktop.logsafe import mask
from veo_desktop.store import videos
from veo_desktop.store.async_store import AsyncStore

log = logging.getLogger(__name__)

MAX_BAD_FILES = 3


class NeedsRepoll(Exception):
    """An inline (Vertex) video staged by an earlier poll is gone: poll again to get the bytes again."""


class Downloader:
    def __init__(
        self,
        *,
        store: AsyncStore,
        clock: Clock,
        providers: Providers,
        library_dir: Path,
        rng: random.Random,
        retention_s: float,
        outcomes: OutcomeRecorder,
        notify: Notify,
    ) -> None:
        self.store = store
        self.clock = clock
        self.providers = providers
        self.library_dir = library_dir  # the dispatcher changes it when the user picks another folder
        self.rng = rng
        self.retention_s = retention_s
        self.outcomes = outcomes
        self.notify = notify

    async def download(self, job: Job, status: OperationStatus) -> None:
        """Fetch every video and complete the job. Raises NeedsRepoll when the bytes must be fetched again."""
        self.library_dir.mkdir(parents=True, exist_ok=True)
        outputs: list[VideoOutput] = []
        total = len(status.videos)
        for index, video in enumerate(status.videos):
            final = self.library_dir / videos.video_file_name(job, index, total)
            output = await self._fetch_one(job, video, final)
            if output is None:
                return
            outputs.append(output)
        now_ms = self.clock.wall_ms()
        done = await self.store.run(lambda s: s.complete(job.id, outputs=outputs, now_ms=now_ms, fence=job.fence))
        faults.hit("after_complete")
        for output in outputs:
            try:
                await asyncio.to_thread(videos.write_sidecar, done, output)
            except OSError:
                log.warning("could not write the sidecar of %s", output.path, exc_info=True)
        self.notify()

    async def _fetch_one(self, job: Job, video: VideoRef, final: Path) -> VideoOutput | None:
        part = videos.part_path(final)
        attempt = 0
        bad_files = 0
        while True:
            attempt += 1
            if attempt > 1 and self._past_retention(job):
                await self._discard(part)
                await self.outcomes.fail(
                    job,
                    JobStatus.DOWNLOADING,
                    FailureKind.EXPIRED,
                    "Google's 2-day retention ran out before the video could be downloaded.",
                )
                return None
            if video.staged_path is not None and not video.staged_path.exists():
                raise NeedsRepoll(str(video.staged_path))
            try:
                faults.hit("before_download")
                await self.providers.for_job(job.provider).download(video, part)
                faults.hit("before_rename")
                output = await asyncio.to_thread(videos.verify_and_finalise, part, final)
                faults.hit("after_rename")
                return output
            except NotFoundError:
                await self._discard(part)
                if video.staged_path is not None:
                    # A staged inline video vanished (e.g. another process cleaned staging at start-up):
                    # Google still has it, so ask again rather than fail a billed generation.
                    raise NeedsRepoll(str(video.staged_path)) from None
                await self.outcomes.fail(
                    job,
                    JobStatus.DOWNLOADING,
                    FailureKind.EXPIRED,
                    "The video expired at Google before it could be downloaded (files are kept 2 days).",
                )
                return None
            except videos.NotAVideo as exc:
                await self._discard(part)
                bad_files += 1
                if bad_files >= MAX_BAD_FILES:
                    await self.outcomes.fail(job, JobStatus.DOWNLOADING, FailureKind.PROTOCOL, str(exc))
                    return None
                await self._wait(job, attempt, "The download was not a video; retrying.")
            except AuthError as exc:
                await self.outcomes.pause_for_auth(mask(exc.message))
                await self._wait(job, attempt, "Downloading needs a valid API key.")
            except VeoError as exc:
                await self._discard(part)
                await self._wait(job, attempt, f"Download interrupted ({mask(exc.message)[:60]}); retrying.")
            except OSError as exc:
                await self._discard(part)
                if exc.errno == errno.ENOSPC:
                    note = "The disk is full: free some space; the download will retry."
                else:
                    note = f"Could not write the video ({exc.strerror}); retrying."
                await self._wait(job, attempt, note)

    def _past_retention(self, job: Job) -> bool:
        started_ms = job.started_at_ms or self.clock.wall_ms()
        return self.clock.wall_ms() - started_ms > self.retention_s * 1000

    async def _wait(self, job: Job, attempt: int, note: str) -> None:
        delay = backoff_s(attempt, self.rng, base_s=2.0, cap_s=120.0)
        try:
            await self.store.run(lambda s: s.set_note(job.id, note))
        except Exception:
            log.debug("could not set a note on %s", job.id, exc_info=True)
        self.notify()
        await self.clock.sleep(delay)

    @staticmethod
    async def _discard(part: Path) -> None:
        await asyncio.to_thread(part.unlink, True)
