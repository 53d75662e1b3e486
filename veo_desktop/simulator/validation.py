"""Validate a start request the way the real servers do, against the catalogue (resources/models.json).

Which models a dialect serves comes from the catalogue's `providers`; retired or foreign models answer 404.
Every refusal is an `ApiError` in Google's envelope."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from veo_desktop.core.catalogue import Catalogue, ModelInfo
from veo_desktop.simulator.errors import invalid, not_found
from veo_desktop.simulator.state import Dialect, StartRequest

MAX_IMAGE_BYTES = 20 * 1024 * 1024
IMAGE_MIME_TYPES = ("image/png", "image/jpeg", "image/webp")
PERSON_GENERATION = ("allow_all", "allow_adult", "dont_allow")
_GEMINI_ONLY_REFUSED = ("seed", "generateAudio", "storageUri")


def find_model(catalogue: Catalogue, dialect: Dialect, model_id: str, resource: str) -> ModelInfo:
    """The model if this dialect serves it and it is live; 404 otherwise. `resource` names it in messages."""
    model = catalogue.get(model_id)
    if model is None or dialect not in model.providers or model.retired:
        if dialect == "gemini":
            raise not_found(
                f"{resource} is not found for API version v1beta, or is not supported for "
                "predictLongRunning. Call ListModels to see the list of available models and their "
                "supported methods."
            )
        raise not_found(
            f"Publisher Model `{resource}` was not found or your project does not have access to it. "
            "Please ensure you are using a valid model version."
        )
    return model


def parse_start(
    dialect: Dialect, model: ModelInfo, raw_body: bytes, prompt_max_chars: int
) -> tuple[StartRequest, dict[str, Any]]:
    """The accepted request and its parameters, or raise the 400 the real server answers."""
    body = _json_object(raw_body)
    instances = body.get("instances")
    if not isinstance(instances, list) or len(instances) != 1 or not isinstance(instances[0], dict):
        raise invalid("`instances` must be a list with exactly one instance.")
    params = body.get("parameters") or {}
    if not isinstance(params, dict):
        raise invalid("Invalid JSON payload received. `parameters` must be an object.")
    instance: dict[str, Any] = instances[0]
    prompt = _prompt(instance, prompt_max_chars)
    _check_images(dialect, model, instance)
    aspect_ratio, sample_count = _check_parameters(dialect, model, params, instance)
    storage_uri = params.get("storageUri")
    request = StartRequest(dialect, model.id, prompt, aspect_ratio, sample_count, storage_uri)
    return request, params


def _json_object(raw_body: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw_body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise invalid("Invalid JSON payload received. Unexpected token.") from None
    if not isinstance(body, dict):
        raise invalid("Invalid JSON payload received. Expected an object.")
    return body


def _prompt(instance: dict[str, Any], prompt_max_chars: int) -> str:
    prompt = instance.get("prompt", "")
    if not isinstance(prompt, str):
        raise invalid("Invalid value at 'instances[0].prompt' (TYPE_STRING).")
    if not prompt.strip() and "image" not in instance:
        raise invalid("A prompt is required for text-to-video generation.")
    if len(prompt) > prompt_max_chars:
        raise invalid(f"The prompt is too long: at most {prompt_max_chars} characters (1,024 tokens) are allowed.")
    return prompt


def _check_images(dialect: Dialect, model: ModelInfo, instance: dict[str, Any]) -> None:
    for field_name in ("image", "lastFrame"):
        if field_name in instance:
            _check_image(dialect, instance[field_name], f"instances[0].{field_name}")
    if "lastFrame" in instance:
        if "image" not in instance:
            raise invalid("`lastFrame` requires `image`: an end frame needs a start frame.")
        if not model.end_frame:
            raise invalid("`lastFrame` isn't supported by this model.")
    if "image" in instance and not model.start_frame:
        raise invalid("`image` isn't supported by this model.")
    refs = instance.get("referenceImages")
    if refs is not None:
        if not isinstance(refs, list) or not 1 <= len(refs) <= 3:
            raise invalid("`referenceImages` must hold between 1 and 3 images.")
        if any(name in instance for name in ("image", "lastFrame", "video")):
            raise invalid("`referenceImages` cannot be combined with `image`, `lastFrame` or `video`.")
        for index, ref in enumerate(refs):
            if not isinstance(ref, dict):
                raise invalid(f"Invalid value at 'instances[0].referenceImages[{index}]'.")
            _check_image(dialect, ref.get("image"), f"instances[0].referenceImages[{index}].image")


def _check_image(dialect: Dialect, image: Any, where: str) -> None:
    if not isinstance(image, dict):
        raise invalid(f"Invalid value at '{where}': an object is expected.")
    if "inlineData" in image:
        raise invalid("`inlineData` isn't supported by this model.")
    if dialect == "vertex" and "gcsUri" in image:
        return
    data, mime_type = image.get("bytesBase64Encoded"), image.get("mimeType")
    if not isinstance(data, str) or not data:
        raise invalid(f"`{where}.bytesBase64Encoded` is required.")
    if mime_type not in IMAGE_MIME_TYPES:
        raise invalid(f"Unsupported MIME type {mime_type!r} at '{where}'. Use image/png or image/jpeg.")
    if len(data) * 3 // 4 > MAX_IMAGE_BYTES:
        raise invalid(f"The image at '{where}' is too large: at most 20 MB is allowed.")
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(
            f"Invalid value at '{where}.bytes_base64_encoded' (TYPE_BYTES), Base64 decoding failed."
        ) from None


def _check_parameters(
    dialect: Dialect, model: ModelInfo, params: dict[str, Any], instance: dict[str, Any]
) -> tuple[str, int]:
    if dialect == "gemini":
        for name in _GEMINI_ONLY_REFUSED:
            if name in params:
                raise invalid(f"`{name}` isn't supported by this model. Please remove it and try again.")
    aspect_ratio = params.get("aspectRatio", "16:9")
    if aspect_ratio not in model.aspect_ratios:
        raise invalid(f"Aspect ratio {aspect_ratio!r} is not supported. Supported: {', '.join(model.aspect_ratios)}.")
    default_resolution = "720p" if "720p" in model.resolutions else model.resolutions[0]
    resolution = params.get("resolution", default_resolution)
    if resolution not in model.resolutions:
        raise invalid(
            f"Resolution {resolution!r} is not supported by this model. Supported: {', '.join(model.resolutions)}."
        )
    duration_s = _duration_s(model, params.get("durationSeconds", 8))
    needs_8s = resolution in model.requires_8s or "referenceImages" in instance or "video" in instance
    if needs_8s and duration_s != 8:
        raise invalid(f"`durationSeconds` must be 8 for {resolution}, reference images and video extension.")
    sample_count = _bounded_int(params.get("sampleCount", 1), "sampleCount", 1, model.max_samples)
    _check_vertex_extras(params)
    _check_person_generation(params.get("personGeneration"), instance)
    return str(aspect_ratio), sample_count


def _duration_s(model: ModelInfo, raw: Any) -> int:
    low, high = min(model.durations_s), max(model.durations_s)
    duration_s = _bounded_int(raw, "durationSeconds", low, high)
    if duration_s not in model.durations_s:
        allowed = ", ".join(str(d) for d in model.durations_s)
        raise invalid(f"Unsupported value {duration_s} for `durationSeconds`: this model allows {allowed}.")
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


def _check_vertex_extras(params: dict[str, Any]) -> None:
    if "seed" in params:
        _bounded_int(params["seed"], "seed", 0, 2**32 - 1)
    if "generateAudio" in params and not isinstance(params["generateAudio"], bool):
        raise invalid("Invalid value for `generateAudio`: a boolean is expected.")
    storage_uri = params.get("storageUri")
    if storage_uri is not None and not (isinstance(storage_uri, str) and storage_uri.startswith("gs://")):
        raise invalid("`storageUri` must be a Cloud Storage URI starting with gs://.")


def _check_person_generation(value: Any, instance: dict[str, Any]) -> None:
    if value is None:
        return
    if value not in PERSON_GENERATION:
        raise invalid(f"Invalid value {value!r} for `personGeneration`.")
    with_image = "image" in instance
    if with_image and value == "allow_all":
        raise invalid("`personGeneration` allow_all is not supported for image-to-video; use allow_adult.")
    if not with_image and value == "allow_adult":
        raise invalid("`personGeneration` allow_adult is not supported for text-to-video; use allow_all.")
