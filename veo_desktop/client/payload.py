"""Request bodies and the shared pieces of answers, for both dialects.

`start_body()` reads and base64-encodes the frames and serialises the JSON (megabytes for two 20 MB images):
it is blocking, so providers call it through `asyncio.to_thread`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from veo_desktop.client.base import StartSpec
from veo_desktop.client.files import encode_frame
from veo_desktop.client.session import check_resource_name
from veo_desktop.client.translate import bad_answer_error
from veo_desktop.core.errors import PermanentError, VeoError
from veo_desktop.logsafe import mask

__all__ = [
    "as_int",
    "base_parameters",
    "operation_error",
    "operation_name_from_start",
    "rai_filter",
    "start_body",
]


def base_parameters(spec: StartSpec) -> dict[str, Any]:
    """The parameters both dialects share; `durationSeconds` is a number, `negativePrompt` only when set."""
    parameters: dict[str, Any] = {
        "aspectRatio": spec.aspect_ratio,
        "durationSeconds": int(spec.duration_s),
        "resolution": spec.resolution,
    }
    if spec.negative_prompt.strip():
        parameters["negativePrompt"] = spec.negative_prompt
    return parameters


def start_body(spec: StartSpec, parameters: Mapping[str, Any]) -> bytes:
    """The predictLongRunning body as UTF-8 JSON. Blocking (file reads, base64): run in a worker thread."""
    if spec.end_frame is not None and spec.start_frame is None:
        raise PermanentError("An end frame needs a start frame.")
    instance: dict[str, Any] = {"prompt": spec.prompt}
    if spec.start_frame is not None:
        instance["image"] = encode_frame(spec.start_frame, what="start frame")
    if spec.end_frame is not None:
        instance["lastFrame"] = encode_frame(spec.end_frame, what="end frame")
    body = {"instances": [instance], "parameters": dict(parameters)}
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
