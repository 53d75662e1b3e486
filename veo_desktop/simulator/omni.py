"""The Gemini API host (docs/veo-api.md §4): Gemini Omni over the Interactions API on /v1 and /v1beta
(create, get, cancel, delete), the files endpoints (files.py), the models list (Omni only), and the retired
Veo dialect, which answers 404 "models/{m} is no longer available"."""

from __future__ import annotations

import base64
import datetime
import json
import re
import threading
from typing import Any

from veo_desktop.core.clock import Clock
from veo_desktop.simulator import actions as a
from veo_desktop.simulator import errors
from veo_desktop.simulator.files import FILES_URI, FileApi, omni_video
from veo_desktop.simulator.models import OMNI_TOKENS_PER_S, RETIRED, listed, served
from veo_desktop.simulator.omni_input import input_tokens, parse_format, parse_input, parse_seed
from veo_desktop.simulator.replies import Reply, json_reply
from veo_desktop.simulator.request import Pattern, Req, Route, classify
from veo_desktop.simulator.script import ScriptBook
from veo_desktop.simulator.state import OperationBook, SimOperation, SimStats, StartRequest, outline
from veo_desktop.simulator.switches import Switches
from veo_desktop.simulator.validation import json_object

MAX_CONVERSATION_S = 40
THOUGHT_TOKENS = 300
_V = r"^/(?P<version>v1|v1beta)/"
PATTERNS = [
    Pattern("POST", re.compile(_V + r"interactions$"), "start"),
    Pattern("GET", re.compile(_V + r"interactions/(?P<id>[^/:]+)$"), "poll"),
    Pattern("POST", re.compile(_V + r"interactions/(?P<id>[^/:]+)/cancel$"), "cancel"),
    Pattern("DELETE", re.compile(_V + r"interactions/(?P<id>[^/:]+)$"), "cancel"),
    Pattern("GET", re.compile(_V + r"files/(?P<fid>[a-z0-9]+):download$"), "download"),
    Pattern("GET", re.compile(_V + r"files/(?P<fid>[a-z0-9]+)$"), "file"),
    Pattern("GET", re.compile(_V + r"models$"), "list"),
    Pattern("GET", re.compile(_V + r"models/(?P<model>[^/:]+)$"), "list"),
    Pattern("POST", re.compile(_V + r"models/(?P<model>[^/:]+):predictLongRunning$"), "start"),
    Pattern("GET", re.compile(_V + r"models/(?P<model>[^/:]+)/operations/(?P<op>[^/:]+)$"), "poll"),
]
_TERMINAL = ("completed", "failed", "cancelled", "budget_exceeded", "incomplete")
_WITH_VIDEO = ("completed", "incomplete")  # `incomplete` (e.g. cut short) still carries what was made


def _iso(wall_ms: int) -> str:
    return datetime.datetime.fromtimestamp(wall_ms / 1000, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _no_longer_available(model_id: str) -> errors.ApiError:
    return errors.not_found(f"models/{model_id} is no longer available. Please use a current model.")


class OmniApi:
    def __init__(
        self,
        *,
        book: OperationBook,
        scripts: ScriptBook,
        stats: SimStats,
        switches: Switches,
        files: FileApi,
        clock: Clock,
        api_key: frozenset[str] | None,
        cancel_delay_s: float,
        stopping: threading.Event,
    ) -> None:
        self._stopping = stopping
        self._book, self._scripts, self._stats, self._switches = book, scripts, stats, switches
        self._files, self._clock, self._api_key, self._cancel_delay_s = files, clock, api_key, cancel_delay_s

    def route(self, req: Req) -> Route:
        if not req.key:
            raise errors.missing_key()  # Google checks the key before it looks at the path
        if self._api_key is not None and req.key not in self._api_key:
            raise errors.invalid_key()
        found = classify(PATTERNS, req.method, req.path)
        if found is None:
            raise errors.not_found(f"The requested URL {req.path} was not found on this server.")
        pattern, match = found
        groups = match.groupdict()
        if "model" in groups and pattern.phase in ("start", "poll"):
            return Route(pattern.phase, None, lambda: self._retired_veo(str(groups["model"])))
        if pattern.phase == "start":
            return Route("start", _body_prompt(req.body), lambda: self.create(req))
        if "id" in groups:
            op = self._book.lookup(f"omni:{groups['id']}")
            run = {"poll": self.get, "cancel": self.cancel if req.method == "POST" else self.delete}[pattern.phase]
            return Route(pattern.phase, op.prompt if op else None, lambda: run(str(groups["id"]), op))
        if "fid" in groups:
            entry = self._files.entry(str(groups["fid"]))
            prompt = entry[0].prompt if entry else None
            if pattern.phase == "file":
                return Route("file", prompt, lambda: self._files.state(str(groups["fid"]), str(groups["version"])))
            return Route("download", prompt, lambda: self._files.download(req, str(groups["fid"])))
        return Route("list", None, lambda: self.models(req, groups.get("model")))

    def error_style(self, prompt: str | None) -> str:
        return self._switches.get("omni_error_envelope", prompt)

    # --- create ---
    def create(self, req: Req) -> Reply:
        body = json_object(req.body)
        model_id = str(body.get("model") or "").removeprefix("models/")
        if not model_id:
            raise errors.invalid("`model` is required.")
        parsed = parse_input(body.get("input"))
        switches = self._switches.resolve(parsed.text)
        model = served(model_id, "omni", switches)
        if model is None:
            if model_id in RETIRED["omni"] or model_id.startswith("veo-"):
                raise _no_longer_available(model_id)
            raise errors.not_found(
                f"models/{model_id} is not found for API version v1beta, or is not supported for interactions."
            )
        fmt = parse_format(body.get("response_format"), model, parsed.text, switches)
        parse_seed(body.get("generation_config"))
        store, background = body.get("store", True), body.get("background", False)
        previous = self._previous(body.get("previous_interaction_id"), fmt.requested_s)
        request = StartRequest(
            dialect="omni", provider="gemini", model=model.id, prompt=parsed.text, aspect_ratio=fmt.aspect_ratio,
            sample_count=1, storage_uri=None, duration_s=fmt.requested_s, resolution=fmt.resolution,
            switches=switches, delivery=fmt.delivery, store=bool(store), background=bool(background),
            previous_id=previous.id if previous else None,
            input_tokens=input_tokens(parsed) + (self._video_tokens(previous) if previous else 0),
            steps_input=parsed.steps,
            chain_s=(previous.request.chain_s + previous.request.duration_s) if previous else 0,
            received=outline(body),
        )  # fmt: skip

        def precheck(plan: Any) -> None:
            if isinstance(plan.result, a.Filter) and switches["omni_safety"] == "create_400":
                raise errors.invalid("The request was blocked because the prompt violates the usage policies.")

        op = self._book.admit(
            request, lambda: self._scripts.take_outcomes(request.prompt), key="omni:{id}",
            quota_error=errors.quota_exhausted, precheck=precheck,
        )  # fmt: skip
        if not request.background:
            self._clock_wait(op)
            return json_reply(self._interaction(op, created=False))
        return json_reply(self._interaction(op, created=True))

    def _clock_wait(self, op: SimOperation) -> None:
        """`background: false`: answer when the generation is done (or the simulator stops)."""
        self._stopping.wait(max(0.0, self._clock.real_seconds(op.done_at_s - self._book.now_s())))

    def _previous(self, previous_id: Any, requested_s: int) -> SimOperation | None:
        if previous_id is None:
            return None
        previous = self._book.lookup(f"omni:{previous_id}")
        if previous is None:
            raise errors.not_found(f"Interaction {previous_id} was not found.")
        if not previous.request.store:
            raise errors.invalid(f"Interaction {previous_id} was created with store=false and cannot be continued.")
        if self._status(previous) != "completed":
            raise errors.invalid(f"Interaction {previous_id} is not completed yet: wait for it before continuing.")
        total = previous.request.chain_s + previous.request.duration_s + requested_s
        if total > MAX_CONVERSATION_S:
            raise errors.invalid(f"The conversation's video would be {total}s long: at most {MAX_CONVERSATION_S}s.")
        return previous

    # --- get, cancel, delete ---
    def get(self, interaction_id: str, op: SimOperation | None) -> Reply:
        if op is None:
            raise errors.not_found(f"Interaction {interaction_id} was not found.")
        self._stats.count("polls")
        payload = self._interaction(op, created=False)
        if payload["status"] in _TERMINAL:
            self._book.observe_done(op)
        return json_reply(payload)

    def cancel(self, interaction_id: str, op: SimOperation | None) -> Reply:
        if op is None:
            raise errors.not_found(f"Interaction {interaction_id} was not found.")
        if self._status(op) in _TERMINAL:
            raise errors.invalid(f"Interaction {interaction_id} has already finished and cannot be cancelled.")
        self._book.cancel(op, self._cancel_delay_s)
        return json_reply(self._interaction(op, created=False))

    def delete(self, interaction_id: str, op: SimOperation | None) -> Reply:
        if op is None:
            raise errors.not_found(f"Interaction {interaction_id} was not found.")
        self._book.delete(op)
        return json_reply({})

    # --- the interaction resource ---
    def _status(self, op: SimOperation) -> str:
        now_s = self._book.now_s()
        if op.is_cancelled(now_s):
            return "cancelled"
        if not op.is_done(now_s):
            queued = op.request.switches.get("omni_queued") == "on" and now_s < op.started_at_s + op.latency_s / 5
            return "queued" if queued else "in_progress"
        result = op.plan.result
        if isinstance(result, a.TerminalStatus):
            return result.status
        if isinstance(result, a.OperationError | a.Filter):
            return "failed"
        return "completed"

    def _interaction(self, op: SimOperation, *, created: bool) -> dict[str, Any]:
        status = self._status(op)
        started_ms = self._clock.wall_ms() - int((self._book.now_s() - op.started_at_s) * 1000)
        payload: dict[str, Any] = {
            "id": op.id, "object": "interaction", "model": op.model, "status": status,
            "created": _iso(started_ms), "updated": _iso(self._clock.wall_ms()),
            "response_format": {"type": "video", "aspect_ratio": op.aspect_ratio, "resolution": op.request.resolution,
                                "duration": f"{op.request.duration_s}s", "delivery": op.request.delivery},
        }  # fmt: skip
        if op.request.previous_id:
            payload["previous_interaction_id"] = op.request.previous_id
        steps: list[dict[str, Any]] = []
        if not created or op.request.switches.get("omni_create_user_input") == "on":
            steps.extend(op.request.steps_input)
        if status in ("completed", "incomplete", "failed", "budget_exceeded"):
            steps.append({"type": "thought", "signature": base64.b64encode(op.id.encode()).decode()})
            steps.extend(self._output_steps(op, status, created))
            payload["usage"] = self._usage(op, status)
        if status == "failed":
            payload["errors"] = [{"code": "INVALID_ARGUMENT" if isinstance(op.plan.result, a.Filter) else "INTERNAL",
                                  "message": self._failure_message(op)}]  # fmt: skip
        if steps:
            payload["steps"] = steps
        return payload

    def _failure_message(self, op: SimOperation) -> str:
        result = op.plan.result
        if isinstance(result, a.OperationError):
            return result.message
        return "The prompt was blocked because it violates the usage policies."

    def _output_steps(self, op: SimOperation, status: str, created: bool) -> list[dict[str, Any]]:
        if status == "failed":
            code = 3 if isinstance(op.plan.result, a.Filter) else getattr(op.plan.result, "code", 13)
            return [{"type": "model_output", "error": {"code": code, "message": self._failure_message(op)}}]
        if status not in _WITH_VIDEO or isinstance(op.plan.result, a.NoVideo):
            return [{"type": "model_output", "content": [{"type": "text", "text": "No video was generated."}]}]
        switches = self._switches.resolve(op.prompt)
        as_uri = op.request.delivery == "uri" and (created or switches["omni_get_after_uri"] == "uri")
        if as_uri:
            block: dict[str, Any] = {"type": "video", "mime_type": "video/mp4",
                                     "uri": f"{FILES_URI}/{op.file_ids[0]}:download?alt=media"}  # fmt: skip
        else:
            block = {"type": "video", "mime_type": "video/mp4", "data": omni_video(op).base64_text()}
        return [{"type": "model_output", "content": [block]}]

    def _video_tokens(self, op: SimOperation) -> int:
        delivered = self._status(op) in _WITH_VIDEO and not isinstance(op.plan.result, a.NoVideo)
        return op.request.duration_s * OMNI_TOKENS_PER_S[op.request.resolution] if delivered else 0

    def _usage(self, op: SimOperation, status: str) -> dict[str, Any]:
        video = self._video_tokens(op)
        total_in = op.request.input_tokens
        return {
            "total_input_tokens": total_in, "total_output_tokens": video, "total_thought_tokens": THOUGHT_TOKENS,
            "total_tokens": total_in + video + THOUGHT_TOKENS,
            "output_tokens_by_modality": [{"modality": "video", "tokens": video}],
        }  # fmt: skip

    # --- models and the retired Veo dialect ---
    def models(self, req: Req, model_id: str | None) -> Reply:
        switches = self._switches.resolve()
        entries = [_model_entry(m.id, m.display_name) for m in listed("omni", switches)]
        if model_id is not None:
            entry = next((e for e in entries if e["name"] == f"models/{model_id}"), None)
            if entry is None:
                raise errors.not_found(f"models/{model_id} is not found for API version {req.path.split('/')[1]}.")
            return json_reply(entry)
        raw_size, token = req.query.get("pageSize", ["50"])[0], req.query.get("pageToken", [""])[0]
        size = int(raw_size) if raw_size.isdigit() and int(raw_size) > 0 else 50
        offset = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
        page: dict[str, Any] = {"models": entries[offset : offset + size]}
        if offset + size < len(entries):
            page["nextPageToken"] = base64.urlsafe_b64encode(str(offset + size).encode()).decode()
        return json_reply(page)

    @staticmethod
    def _retired_veo(model_id: str) -> Reply:
        raise _no_longer_available(model_id)


def _model_entry(model_id: str, display_name: str) -> dict[str, Any]:
    return {
        "name": f"models/{model_id}", "version": model_id.split("-")[2], "displayName": display_name,
        "description": f"{display_name}: video generation with audio, over the Interactions API.",
        "inputTokenLimit": 32768, "outputTokenLimit": 1,
        "supportedGenerationMethods": ["createInteraction"],
    }  # fmt: skip


def _body_prompt(raw_body: bytes) -> str | None:
    try:
        body = json.loads(raw_body or b"{}")
        return parse_input(body.get("input")).text if isinstance(body, dict) else None
    except (ValueError, UnicodeDecodeError, errors.ApiError):
        return None
