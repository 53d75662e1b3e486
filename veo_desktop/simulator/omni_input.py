"""Reading an Interactions API create body (docs/veo-api.md §4.2): `input` as a string, a content
object, a content list or a step list; `response_format` as an object or a list; images; the seed."""

from __future__ import annotations

import base64
import binascii
import math
import zlib
from dataclasses import dataclass
from typing import Any

from veo_desktop.simulator.errors import invalid
from veo_desktop.simulator.models import SimModel

OMNI_IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/heic", "image/heif")
MAX_IMAGES = 3
IMAGE_INPUT_TOKENS = 2000
DEFAULT_DURATION_S = 8


@dataclass(frozen=True, slots=True)
class OmniInput:
    text: str
    images: int
    steps: tuple[dict[str, Any], ...]  # the user_input step as the server echoes it (images without data)


@dataclass(frozen=True, slots=True)
class OmniFormat:
    aspect_ratio: str
    resolution: str
    requested_s: int
    delivery: str


def parse_input(raw: Any) -> OmniInput:
    if isinstance(raw, str):
        contents: list[Any] = [{"type": "text", "text": raw}]
    elif isinstance(raw, dict):
        contents = list(raw.get("content") or []) if raw.get("type") == "user_input" else [raw]
    elif isinstance(raw, list):
        contents = []
        for item in raw:
            if isinstance(item, dict) and item.get("type") == "user_input":
                contents.extend(item.get("content") or [])
            else:
                contents.append(item)
    else:
        raise invalid("`input` is required: a string, a content object, a list of contents or a list of steps.")
    texts: list[str] = []
    echo: list[dict[str, Any]] = []
    images = 0
    for index, content in enumerate(contents):
        if not isinstance(content, dict):
            raise invalid(f"Invalid value at 'input[{index}]': a content object is expected.")
        kind = content.get("type")
        if kind == "text" and isinstance(content.get("text"), str):
            texts.append(content["text"])
            echo.append({"type": "text", "text": content["text"]})
        elif kind == "image":
            _check_image(content, index)
            images += 1
            echo.append({"type": "image", "mime_type": content.get("mime_type")})
        else:
            raise invalid(f"Unsupported content type {kind!r} at 'input[{index}]' for video generation.")
    if images > MAX_IMAGES:
        raise invalid(f"At most {MAX_IMAGES} images are supported per request.")
    text = "\n".join(texts)
    if not text.strip() and not images:
        raise invalid("`input` must contain a text prompt or an image.")
    return OmniInput(text, images, ({"type": "user_input", "content": echo},))


def _check_image(content: dict[str, Any], index: int) -> None:
    mime_type = content.get("mime_type")
    if mime_type not in OMNI_IMAGE_TYPES:
        raise invalid(f"Unsupported image mime_type {mime_type!r} at 'input[{index}]'.")
    data = content.get("data")
    if not isinstance(data, str) or not data:
        raise invalid(f"`input[{index}].data` is required for an image (base64).")
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(f"Invalid base64 in 'input[{index}].data'.") from None


def parse_format(raw: Any, model: SimModel, prompt: str, switches: dict[str, str]) -> OmniFormat:
    if isinstance(raw, list):
        raw = next((f for f in raw if isinstance(f, dict) and f.get("type") == "video"), None)
        if raw is None:
            raise invalid("`response_format` must include an entry of type video for this model.")
    raw = raw or {"type": "video"}
    if not isinstance(raw, dict) or raw.get("type", "video") != "video":
        raise invalid("`response_format.type` must be video for this model.")
    aspect_ratio = raw.get("aspect_ratio", "16:9")
    if aspect_ratio not in ("16:9", "9:16"):
        raise invalid(f"Unsupported aspect_ratio {aspect_ratio!r}. Supported: 16:9, 9:16.")
    resolution = raw.get("resolution", "720p")
    if resolution not in model.resolutions:
        raise invalid(f"Unsupported resolution {resolution!r}. Supported: {', '.join(model.resolutions)}.")
    requested_s = _duration_s(raw.get("duration"), model)
    delivery = raw.get("delivery", "inline")
    if delivery not in ("inline", "uri"):
        raise invalid(f"Unsupported delivery {delivery!r}. Supported: inline, uri.")
    if switches.get("omni_duration") == "model_chooses":
        low, high = min(model.durations_s), max(model.durations_s)
        requested_s = low + zlib.crc32(prompt.encode()) % (high - low + 1)  # the model picks its own length
    return OmniFormat(str(aspect_ratio), str(resolution), requested_s, str(delivery))


def _duration_s(raw: Any, model: SimModel) -> int:
    if raw is None:
        return DEFAULT_DURATION_S
    text = str(raw).strip()
    number = text[:-1] if text.endswith("s") else text
    try:
        value = float(number)
    except ValueError:
        raise invalid(f'Invalid duration {raw!r}: use a number of seconds such as "8s".') from None
    if not value.is_integer() or int(value) not in model.durations_s:
        low, high = min(model.durations_s), max(model.durations_s)
        raise invalid(f"Unsupported duration {raw!r} for {model.id}: {low}s to {high}s.")
    return int(value)


def parse_seed(config: Any) -> None:
    if config is None:
        return
    if not isinstance(config, dict):
        raise invalid("`generation_config` must be an object.")
    seed = config.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32):
        raise invalid(f"Invalid generation_config.seed {seed!r}: an integer from 0 to 4294967295.")


def input_tokens(parsed: OmniInput) -> int:
    return math.ceil(len(parsed.text) / 4) + IMAGE_INPUT_TOKENS * parsed.images
