"""Validate a Vertex Veo start the way the real server does (docs/veo-api.md §3.3 and §5), against the
simulator's own model table. Every refusal is an `ApiError` (400) in Google's envelope."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from veo_desktop.simulator import mp4
from veo_desktop.simulator.errors import ApiError, invalid
from veo_desktop.simulator.models import SimModel

PROMPT_MAX_CHARS = 4096  # ≈ 1,024 tokens
MAX_IMAGE_BYTES = 20 * 1024 * 1024
EXTENSION_ADDS_S = 7
_MAGIC = {"image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",), "image/webp": (b"RIFF",)}
_ENUMS = {"resizeMode": ("pad", "crop"), "compressionQuality": ("optimized", "lossless")}


@dataclass(frozen=True, slots=True)
class VertexStart:
    prompt: str
    aspect_ratio: str
    duration_s: int  # of the video served
    resolution: str
    sample_count: int
    audio: bool
    storage_uri: str | None


def json_object(raw_body: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw_body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise invalid("Invalid JSON payload received. Unexpected token.") from None
    if not isinstance(body, dict):
        raise invalid("Invalid JSON payload received. Expected an object.")
    return body


def parse_vertex_start(model: SimModel, raw_body: bytes, switches: dict[str, str]) -> VertexStart:
    body = json_object(raw_body)
    instances = body.get("instances")
    if not isinstance(instances, list) or len(instances) != 1 or not isinstance(instances[0], dict):
        raise invalid("`instances` must be a list with exactly one instance.")
    params = body.get("parameters") or {}
    if not isinstance(params, dict):
        raise invalid("Invalid JSON payload received. `parameters` must be an object.")
    instance: dict[str, Any] = instances[0]
    prompt = _prompt(instance)
    for name in ("image", "lastFrame"):
        if name in instance:
            _check_image(instance[name], f"instances[0].{name}", switches)
    if "lastFrame" in instance and "image" not in instance:
        raise invalid("`lastFrame` requires `image`: an end frame needs a start frame.")
    aspect_ratio = params.get("aspectRatio", "16:9")
    if aspect_ratio not in ("16:9", "9:16"):
        raise invalid(f"Aspect ratio {aspect_ratio!r} is not supported. Supported: 16:9, 9:16.")
    if "referenceImages" in instance:
        _check_references(model, instance, params, aspect_ratio, switches)
    extension_s = _check_extension(model, instance, params, aspect_ratio) if "video" in instance else None
    resolution = _resolution(model, params, switches)
    duration_s = _duration(model, params, instance, resolution, switches)
    if extension_s is not None:
        whole = switches.get("extension_output") != "continuation"
        duration_s = extension_s + EXTENSION_ADDS_S if whole else EXTENSION_ADDS_S
    sample_count = _bounded_int(params.get("sampleCount", 1), "sampleCount", 1, model.max_samples)
    _check_extras(params, instance, switches)
    audio = params.get("generateAudio", True)
    return VertexStart(
        prompt, str(aspect_ratio), duration_s, resolution, sample_count, bool(audio), params.get("storageUri")
    )


def _prompt(instance: dict[str, Any]) -> str:
    prompt = instance.get("prompt", "")
    if not isinstance(prompt, str):
        raise invalid("Invalid value at 'instances[0].prompt' (TYPE_STRING).")
    if not prompt.strip() and "image" not in instance and "video" not in instance:
        raise invalid("A prompt is required for text-to-video generation and for reference images.")
    if len(prompt) > PROMPT_MAX_CHARS:
        raise invalid("The prompt is too long: it must be at most 1024 tokens.")
    return prompt


def _decoded(media: Any, where: str) -> tuple[bytes, str]:
    if not isinstance(media, dict):
        raise invalid(f"Invalid value at '{where}': an object is expected.")
    if "inlineData" in media:
        raise invalid(f"Invalid JSON payload received. Unknown name \"inlineData\" at '{where}': Cannot find field.")
    if "gcsUri" in media:
        raise invalid(f"The Cloud Storage object at '{where}.gcsUri' does not exist or cannot be read.")
    data, mime_type = media.get("bytesBase64Encoded"), media.get("mimeType")
    if not isinstance(data, str) or not data:
        raise invalid(f"`{where}.bytesBase64Encoded` is required.")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(
            f"Invalid value at '{where}.bytes_base64_encoded' (TYPE_BYTES), Base64 decoding failed."
        ) from None
    return raw, str(mime_type)


def _check_image(image: Any, where: str, switches: dict[str, str]) -> None:
    if isinstance(image, dict) and len(str(image.get("bytesBase64Encoded", ""))) * 3 // 4 > MAX_IMAGE_BYTES:
        raise invalid(f"The image at '{where}' is too large: the maximum is 20 MB.")
    raw, mime_type = _decoded(image, where)
    allowed = ["image/png", "image/jpeg"] + (["image/webp"] if switches.get("vertex_webp") == "accept" else [])
    if mime_type not in allowed:
        raise invalid(f"Unsupported MIME type {mime_type!r} at '{where}.mimeType'. Supported: {', '.join(allowed)}.")
    if len(raw) > MAX_IMAGE_BYTES:
        raise invalid(f"The image at '{where}' is too large: the maximum is 20 MB.")
    if not raw.startswith(_MAGIC[mime_type]):
        raise invalid(f"The image at '{where}' could not be decoded as {mime_type}.")


def _check_references(
    model: SimModel, instance: dict[str, Any], params: dict[str, Any], aspect_ratio: str, switches: dict[str, str]
) -> None:
    refs = instance["referenceImages"]
    if not model.reference_images:
        raise invalid(f"`referenceImages` isn't supported by {model.id}.")
    if any(name in instance for name in ("image", "lastFrame", "video")):
        raise invalid("`referenceImages` cannot be combined with `image`, `lastFrame` or `video`.")
    if not isinstance(refs, list) or not 1 <= len(refs) <= 3:
        raise invalid("`referenceImages` must hold between 1 and 3 images.")
    if not str(instance.get("prompt", "")).strip():
        raise invalid("A prompt is required with reference images.")
    if switches.get("ref_16x9_only") == "on" and aspect_ratio != "16:9":
        raise invalid("Reference images are only supported with aspect ratio 16:9.")
    for index, ref in enumerate(refs):
        where = f"instances[0].referenceImages[{index}]"
        if not isinstance(ref, dict):
            raise invalid(f"Invalid value at '{where}'.")
        if ref.get("referenceType") != "asset":
            raise invalid(
                f"Unsupported `referenceType` {ref.get('referenceType')!r} at '{where}': only asset is supported."
            )
        _check_image(ref.get("image"), f"{where}.image", switches)


def _check_extension(model: SimModel, instance: dict[str, Any], params: dict[str, Any], aspect_ratio: str) -> int:
    """The input video's whole seconds; the rules of §3.3 (a Veo MP4 of 1–30 s, 24 fps, 16:9 or 9:16)."""
    if not model.extension:
        raise invalid(f"Video extension isn't supported by {model.id}.")
    if any(name in instance for name in ("image", "lastFrame", "referenceImages")):
        raise invalid("`video` cannot be combined with `image`, `lastFrame` or `referenceImages`.")
    if "durationSeconds" in params:
        raise invalid("`durationSeconds` isn't supported for video extension: an extension adds 7 seconds.")
    raw, mime_type = _decoded(instance["video"], "instances[0].video")
    if mime_type != "video/mp4":
        raise invalid(f"Unsupported MIME type {mime_type!r} at 'instances[0].video.mimeType'. Supported: video/mp4.")
    try:
        seconds, width, height, fps = mp4.video_facts(raw)
    except (mp4.Mp4Error, ValueError, IndexError, KeyError):
        raise invalid("The input video could not be read: use an MP4 made by Veo.") from None
    if not 1 <= seconds <= 30:
        raise invalid(f"The input video is {seconds:g} s long: videos of 1 to 30 seconds can be extended.")
    if abs(fps - 24) > 0.01:
        raise invalid(f"The input video has {fps:g} frames per second: only 24 fps videos can be extended.")
    if (width > height) != (aspect_ratio == "16:9"):
        raise invalid(f"The input video's aspect ratio does not match `aspectRatio` {aspect_ratio}.")
    return round(seconds)


def _resolution(model: SimModel, params: dict[str, Any], switches: dict[str, str]) -> str:
    resolution = params.get("resolution", "720p")
    allowed = [r for r in model.resolutions if r != "4k" or switches.get("vertex_4k") == "on"]
    if resolution not in allowed:
        raise invalid(f"Resolution {resolution!r} is not supported by {model.id}. Supported: {', '.join(allowed)}.")
    return str(resolution)


def _duration(
    model: SimModel, params: dict[str, Any], instance: dict[str, Any], resolution: str, switches: dict[str, str]
) -> int:
    if "video" in instance:
        return EXTENSION_ADDS_S
    duration_s = _bounded_int(params.get("durationSeconds", 8), "durationSeconds", min(model.durations_s),
                              max(model.durations_s))  # fmt: skip
    if duration_s not in model.durations_s:
        allowed = ", ".join(str(d) for d in model.durations_s)
        raise invalid(f"Unsupported value {duration_s} for `durationSeconds`: {model.id} allows {allowed}.")
    if "referenceImages" in instance and duration_s != 8:
        raise invalid("`durationSeconds` must be 8 with reference images.")
    if switches.get("vertex_8s_hires") == "on" and resolution in ("1080p", "4k") and duration_s != 8:
        raise invalid(f"`durationSeconds` must be 8 for {resolution}.")
    return duration_s


def _bounded_int(raw: Any, name: str, low: int, high: int) -> int:
    """An integer given as a JSON number or numeric string (the server takes "8" too), within bounds."""
    try:
        value = float(raw) if isinstance(raw, str | int | float) and not isinstance(raw, bool) else None
    except ValueError:
        value = None
    if value is None or not value.is_integer():
        raise invalid(f"Invalid value for `{name}`: {raw!r} is not an integer.")
    if not low <= value <= high:
        raise invalid(
            f"The number value for `{name}` is out of bound. "
            f"Please provide a value between {low} and {high}, inclusive."
        )
    return int(value)


def _check_extras(params: dict[str, Any], instance: dict[str, Any], switches: dict[str, str]) -> None:
    if "seed" in params:
        _bounded_int(params["seed"], "seed", 0, 2**32 - 1)
    for name in ("generateAudio", "enhancePrompt"):
        if name in params and not isinstance(params[name], bool):
            raise invalid(f"Invalid value at 'parameters.{name}' (TYPE_BOOL), {params[name]!r}.")
    for name, values in _ENUMS.items():
        if name in params and params[name] not in values:
            raise invalid(f"Invalid value {params[name]!r} for `{name}`. Supported: {', '.join(values)}.")
    if "resizeMode" in params and "image" not in instance:
        raise invalid("`resizeMode` is only supported for image-to-video.")
    if "negativePrompt" in params and not isinstance(params["negativePrompt"], str):
        raise invalid("Invalid value at 'parameters.negativePrompt' (TYPE_STRING).")
    _check_person_generation(params.get("personGeneration"), switches)
    storage_uri = params.get("storageUri")
    if storage_uri is not None and not (isinstance(storage_uri, str) and storage_uri.startswith("gs://")):
        raise invalid("`storageUri` must be a Cloud Storage URI starting with gs://.")


def _check_person_generation(value: Any, switches: dict[str, str]) -> None:
    if value is None:
        return
    spelling = switches.get("person_all", "allowAll")
    allowed = ["dont_allow", "allow_adult"] + (["allowAll", "allow_all"] if spelling == "both" else [spelling])
    if value not in allowed:
        raise ApiError(400, f"Invalid value {value!r} for `personGeneration`. Supported: {', '.join(allowed)}.")
