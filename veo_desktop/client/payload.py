"""Vertex AI request bodies and the shared pieces of operation answers.

`vertex_start_body()` reads, converts and base64-encodes the frames and serialises the JSON (megabytes for
two 20 MB images): it is blocking, so providers call it through `asyncio.to_thread`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from veo_desktop.client.base import FrameData, StartSpec
from veo_desktop.client.images import VERTEX_MIME_TYPES, read_video, wire_image
from veo_desktop.client.session import check_resource_name
from veo_desktop.client.translate import bad_answer_error
from veo_desktop.core.errors import PermanentError, VeoError
from veo_desktop.logsafe import mask

__all__ = [
    "as_int",
    "operation_error",
    "operation_name_from_start",
    "rai_filter",
    "vertex_parameters",
    "vertex_start_body",
]


DEFAULT_PERSON_GENERATION = "allow_adult"
DEFAULT_RESIZE_MODE = "pad"
DEFAULT_COMPRESSION = "optimized"


def vertex_parameters(spec: StartSpec) -> dict[str, Any]:
    """The `parameters` of a Vertex AI start, every one the app sends stated explicitly (veo-api.md §3.3):
    Google's defaults (audio on, prompt rewriting on) are never left implicit."""
    parameters: dict[str, Any] = {
        "aspectRatio": spec.aspect_ratio,
        "resolution": spec.resolution,
        "sampleCount": spec.sample_count,
        "generateAudio": bool(spec.generate_audio),
        "enhancePrompt": bool(spec.enhance_prompt),
        "personGeneration": spec.person_generation or DEFAULT_PERSON_GENERATION,
        "compressionQuality": spec.compression_quality or DEFAULT_COMPRESSION,
    }
    if spec.input_video is None:  # an extension adds a fixed 7 s: no duration is sent
        parameters["durationSeconds"] = int(spec.duration_s)
    if spec.seed is not None:
        parameters["seed"] = int(spec.seed)
    if spec.negative_prompt.strip():
        parameters["negativePrompt"] = spec.negative_prompt
    if spec.start_frame is not None:
        parameters["resizeMode"] = spec.resize_mode or DEFAULT_RESIZE_MODE
    return parameters


def _vertex_image(frame: FrameData, what: str) -> dict[str, str]:
    image = wire_image(frame, what=what, accepted=VERTEX_MIME_TYPES)
    return {"bytesBase64Encoded": image.base64_data, "mimeType": image.mime_type}


def _check_vertex_inputs(spec: StartSpec) -> None:
    if spec.end_frame is not None and spec.start_frame is None:
        raise PermanentError("An end frame needs a start frame.")
    frames = spec.start_frame is not None or spec.end_frame is not None
    if spec.reference_images and (frames or spec.input_video is not None):
        raise PermanentError("Reference images cannot be combined with start or end frames or an extension.")
    if spec.input_video is not None and frames:
        raise PermanentError("An extension continues a video; it cannot also take start or end frames.")
    if len(spec.reference_images) > 3:
        raise PermanentError("Veo takes at most 3 reference images.")


def vertex_start_body(spec: StartSpec) -> bytes:
    """The predictLongRunning body as UTF-8 JSON. Blocking (file reads, image conversion, base64): run it in
    a worker thread."""
    _check_vertex_inputs(spec)
    instance: dict[str, Any] = {"prompt": spec.prompt}
    if spec.start_frame is not None:
        instance["image"] = _vertex_image(spec.start_frame, "start frame")
    if spec.end_frame is not None:
        instance["lastFrame"] = _vertex_image(spec.end_frame, "end frame")
    if spec.reference_images:
        instance["referenceImages"] = [
            {"image": _vertex_image(frame, f"reference image {i}"), "referenceType": "asset"}
            for i, frame in enumerate(spec.reference_images, start=1)
        ]
    if spec.input_video is not None:
        instance["video"] = {
            "bytesBase64Encoded": read_video(spec.input_video, what="video to extend"),
            "mimeType": "video/mp4",
        }
    body = {"instances": [instance], "parameters": vertex_parameters(spec)}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def operation_name_from_start(data: Mapping[str, Any], *, context: str) -> str:
    """The operation name of a 200 start answer. Missing or odd: the outcome is unknown (it may have started)."""
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise bad_answer_error(context, "no operation name in the answer", start=True, http_status=200)
    try:
        return check_resource_name(name)
    except VeoError as exc:
        raise bad_answer_error(context, "the operation name is malformed", start=True, http_status=200) from exc


def as_int(value: object, default: int = 0) -> int:
    """Protobuf JSON may send integers as numbers or strings."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str | float):
        try:
            return int(value)
        except ValueError:
            return default
    return default


def operation_error(data: Mapping[str, Any]) -> tuple[int | None, str | None]:
    """(gRPC code, message) of a finished operation's `error`, or (None, None)."""
    error = data.get("error")
    if not isinstance(error, Mapping):
        return None, None
    code = as_int(error.get("code"), default=2)  # 2 = UNKNOWN when the code is missing or odd
    message = mask(str(error.get("message") or "")).strip() or f"The operation failed (code {code})."
    return code, message


def rai_filter(response: Mapping[str, Any]) -> tuple[int, tuple[str, ...]]:
    """(raiMediaFilteredCount, raiMediaFilteredReasons) of a response object."""
    count = max(0, as_int(response.get("raiMediaFilteredCount")))
    reasons = response.get("raiMediaFilteredReasons")
    texts = tuple(mask(str(r)) for r in reasons) if isinstance(reasons, list) else ()
    if texts and count == 0:
        count = len(texts)
    return count, texts
