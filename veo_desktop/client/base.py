"""The provider interface the dispatcher talks to. It never learns which dialect is behind it.

A provider raises only `core.errors.VeoError` subclasses (translated at the boundary, `raise ... from exc`),
returns typed results, sends the key only as `x-goog-api-key` to its configured base URL, and never puts the
key in a message, a log line or a URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from veo_desktop.core.errors import AuthError


@dataclass(frozen=True, slots=True)
class FrameData:
    """An input image on disk; the provider reads and base64-encodes it off the GUI thread."""

    path: Path
    mime_type: str


@dataclass(frozen=True, slots=True)
class StartSpec:
    model_id: str
    prompt: str
    aspect_ratio: str
    duration_s: int
    resolution: str
    negative_prompt: str = ""
    start_frame: FrameData | None = None
    end_frame: FrameData | None = None
    sample_count: int = 1
    generate_audio: bool = True
    enhance_prompt: bool = True
    seed: int | None = None
    person_generation: str | None = None  # None: leave it to the provider's default
    resize_mode: str | None = None
    compression_quality: str | None = None
    reference_images: tuple[FrameData, ...] = ()
    input_video: Path | None = None  # Veo extension: the MP4 to continue
    previous_operation: str | None = None  # Omni edit: the interaction id to refine


@dataclass(frozen=True, slots=True)
class VideoRef:
    """Where a finished video is. Gemini: a file id to download (`files/<id>`); Vertex: inline bytes that
    the poll already decoded into `staged_path` (a temporary file the dispatcher moves or deletes)."""

    file_id: str | None = None
    staged_path: Path | None = None
    gcs_uri: str | None = None
    mime_type: str = "video/mp4"


@dataclass(frozen=True, slots=True)
class OperationStatus:
    name: str
    done: bool
    videos: tuple[VideoRef, ...] = ()
    error_code: int | None = None  # gRPC code when done with an error
    error_message: str | None = None
    filtered_count: int = 0
    filter_reasons: tuple[str, ...] = ()
    rewritten_prompt: str | None = None  # what Google says it used, when it rewrote the prompt
    input_tokens: int | None = None  # Omni `usage.total_input_tokens`
    video_tokens: int | None = None  # Omni `usage.output_tokens_by_modality[video]`
    other_output_tokens: int | None = None  # Omni other output and thought tokens (billed at the output rate)
    response_summary: str | None = None  # the final answer as JSON with the video bytes left out (for the sidecar)
    pause_error: AuthError | None = None  # done, and the queue must pause too (Omni `budget_exceeded`)
    cancelled: bool = False  # Omni: the interaction was cancelled

    @property
    def succeeded(self) -> bool:
        return self.done and self.error_code is None and bool(self.videos)


@dataclass(frozen=True, slots=True)
class RemoteModel:
    id: str
    display_name: str


CheckVerdict = Literal["ok", "refused", "unknown"]


@dataclass(frozen=True, slots=True)
class CredentialCheck:
    """The answer to "Test credentials": `ok` (Google accepted them), `refused` (fix them, `message` says how)
    or `unknown` (the check could not tell: a start will). Never contains a secret."""

    verdict: CheckVerdict
    message: str
    models: tuple[str, ...] = ()  # model ids seen during the check, when the check lists any


@runtime_checkable
class CredentialChecker(Protocol):
    """Every provider a user can choose (`vertex`, `vertex-project`, `gemini`) has "Test credentials"."""

    async def check_credentials(self) -> CredentialCheck:
        """One cheap, unbilled call that shows whether the configured credentials work (veo-api.md §1)."""
        ...


@runtime_checkable
class Cancellable(Protocol):
    """Providers whose generations can be cancelled (Omni). Veo generations cannot: they are billed."""

    async def cancel(self, operation_name: str) -> None:
        """Ask for cancellation; the status turns cancelled later, seen by polling."""
        ...


class VeoProvider(Protocol):
    name: str  # "vertex" | "vertex-project" | "gemini" | "gemini-veo"

    async def start(self, spec: StartSpec) -> str:
        """Start a generation; returns the operation name. Raises StartOutcomeUnknown when the request
        was sent and no usable answer came back (timeout after sending, reset, 200 with a bad body)."""
        ...

    async def poll(self, operation_name: str, *, staging_dir: Path) -> OperationStatus:
        """One poll. Inline videos (Vertex) are decoded straight into files under `staging_dir`."""
        ...

    async def download(self, video: VideoRef, dest: Path) -> int:
        """Write the video to `dest` (a `.part` path), streaming; returns bytes written. Follows redirects by
        hand and drops the key when the host changes. Resumes are not assumed: `dest` is rewritten."""
        ...

    async def list_models(self) -> Sequence[RemoteModel]: ...

    async def aclose(self) -> None: ...
