"""Vertex AI Veo (providers a and b of docs/veo-api.md §3): starts, `fetchPredictOperation` polls and
model checks, on the express (projectless, API key) and project (OAuth Bearer) paths under v1 and v1beta1.

A path may name the project by id or by number. Express keys belong to the simulator's project; Bearer
tokens come from its token endpoint; any other project answers 403 PERMISSION_DENIED."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from veo_desktop.simulator import actions as a
from veo_desktop.simulator import errors
from veo_desktop.simulator.media import Video
from veo_desktop.simulator.models import MODELS, listed, served
from veo_desktop.simulator.oauth import TokenAuthority
from veo_desktop.simulator.replies import Body, Reply, json_reply
from veo_desktop.simulator.request import Pattern, Req, Route, classify
from veo_desktop.simulator.script import ScriptBook
from veo_desktop.simulator.state import OperationBook, SimOperation, SimStats, StartRequest, outline
from veo_desktop.simulator.switches import Switches
from veo_desktop.simulator.validation import json_object, parse_vertex_start

RESPONSE_TYPE = "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse"
_MODEL = r"publishers/google/models/(?P<model>[^/:]+)"
_PROJECT = r"projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/"
_V = r"^/(?P<version>v1|v1beta1)/"
PATTERNS = [
    Pattern("POST", re.compile(_V + _MODEL + r":predictLongRunning$"), "start"),
    Pattern("POST", re.compile(_V + _PROJECT + _MODEL + r":predictLongRunning$"), "start"),
    Pattern("POST", re.compile(_V + _MODEL + r":fetchPredictOperation$"), "poll"),
    Pattern("POST", re.compile(_V + _PROJECT + _MODEL + r":fetchPredictOperation$"), "poll"),
    Pattern("GET", re.compile(_V + r"(?:" + _PROJECT + r")?publishers/google/models$"), "list"),
    Pattern("GET", re.compile(_V + r"(?:" + _PROJECT + r")?" + _MODEL + r"$"), "list"),
]
_OP_NAME = re.compile(
    r"^projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/publishers/google/models/(?P<model>[^/:]+)"
    r"/operations/(?P<id>[^/]+)$"
)
Auth = Literal["key", "bearer"]


@dataclass(frozen=True, slots=True)
class VertexConfig:
    project_id: str
    project_number: str
    express_location: str
    video_size_bytes: int | None


class VertexApi:
    def __init__(
        self,
        *,
        config: VertexConfig,
        book: OperationBook,
        scripts: ScriptBook,
        stats: SimStats,
        switches: Switches,
        tokens: TokenAuthority,
        api_key: frozenset[str] | None,
    ) -> None:
        self._config, self._book, self._scripts, self._stats = config, book, scripts, stats
        self._switches, self._tokens, self._api_key = switches, tokens, api_key

    def route(self, req: Req) -> Route:
        found = classify(PATTERNS, req.method, req.path)
        if found is None:
            if req.method == "GET" and "/operations/" in req.path:
                raise errors.not_found("The requested operation was not found: poll with fetchPredictOperation.")
            raise errors.not_found(f"The requested URL {req.path} was not found on this server.")
        pattern, match = found
        groups = match.groupdict()
        auth = self._authenticate(req)
        if pattern.phase == "start":
            prompt = _body_prompt(req.body)
            return Route("start", prompt, lambda: self.start(req, groups, auth))
        if pattern.phase == "poll":
            op = self._op_of_body(req.body)
            return Route("poll", op.prompt if op else None, lambda: self.poll(req, groups, auth, op))
        return Route("list", None, lambda: self.models(req, groups))

    # --- auth and projects ---
    def _authenticate(self, req: Req) -> Auth:
        if req.bearer:
            issued = self._tokens.check(req.bearer)
            if issued is None:
                raise errors.bad_token()
            if self._tokens.is_expired(issued):
                raise errors.access_token_expired()
            return "bearer"
        if not req.key:
            raise errors.missing_key()
        if self._api_key is not None and req.key not in self._api_key:
            raise errors.invalid_key()
        return "key"

    def _own_project(self, project: str | None, resource: str) -> None:
        if project is not None and project not in (self._config.project_id, self._config.project_number):
            raise errors.permission_denied(resource)

    # --- start ---
    def start(self, req: Req, groups: dict[str, str | None], auth: Auth) -> Reply:
        model_id, project, version = str(groups["model"]), groups.get("project"), str(groups["version"])
        location = groups.get("location") or self._config.express_location
        resource = f"projects/{project or self._config.project_number}/locations/{location}/"
        resource += f"publishers/google/models/{model_id}"
        self._own_project(project, resource)
        prompt = _body_prompt(req.body)
        switches = self._switches.resolve(prompt)
        self._refuse_by_switch(auth, project, version, switches)
        model = served(model_id, "vertex", switches)
        if model is None:
            raise _model_not_found(resource)
        start = parse_vertex_start(model, req.body, switches)
        name_project = self._config.project_id if switches["op_name_project"] == "id" else self._config.project_number
        request = StartRequest(
            dialect="vertex", provider="vertex-project" if auth == "bearer" else "vertex", model=model.id,
            prompt=start.prompt, aspect_ratio=start.aspect_ratio, sample_count=start.sample_count,
            storage_uri=start.storage_uri, duration_s=start.duration_s, audio=start.audio,
            resolution=start.resolution, switches=switches, name_project=name_project, location=location,
            received=outline(json_object(req.body)),
        )  # fmt: skip
        key = f"vertex:{location}:{model.id}:{{id}}"
        op = self._book.admit(
            request,
            lambda: self._scripts.take_outcomes(request.prompt),
            key=key,
            quota_error=self._quota_error(switches),
        )
        return json_reply({"name": op.name})

    def _refuse_by_switch(self, auth: Auth, project: str | None, version: str, switches: dict[str, str]) -> None:
        if auth == "key":
            if switches["express_veo"] == "resource_project_invalid":
                raise errors.resource_project_invalid(version)
            if switches["express_veo"] == "credentials_missing":
                raise errors.api_keys_unsupported()
        elif project is not None and version == "v1beta1" and switches["v1beta1_project"] == "resource_project_invalid":
            raise errors.resource_project_invalid(version)

    @staticmethod
    def _quota_error(switches: dict[str, str]) -> Any:
        with_info = switches["vertex_429_retryinfo"] == "on"
        return lambda message, retry_after_s: errors.vertex_quota(message, retry_after_s if with_info else None)

    # --- poll ---
    def _op_of_body(self, raw_body: bytes) -> SimOperation | None:
        try:
            name = json.loads(raw_body or b"{}").get("operationName")
        except (ValueError, UnicodeDecodeError, AttributeError):
            return None
        return self._lookup(name) if isinstance(name, str) else None

    def _lookup(self, name: str) -> SimOperation | None:
        match = _OP_NAME.match(name)
        if match is None or match["project"] not in (self._config.project_id, self._config.project_number):
            return None
        return self._book.lookup(f"vertex:{match['location']}:{match['model']}:{match['id']}")

    def poll(self, req: Req, groups: dict[str, str | None], auth: Auth, op: SimOperation | None) -> Reply:
        body = json_object(req.body)
        name = body.get("operationName")
        if not isinstance(name, str) or not name:
            raise errors.invalid("`operationName` is required.")
        project, version = groups.get("project"), str(groups["version"])
        switches = self._switches.resolve(op.prompt if op else None)
        if auth == "key" and project is not None and switches["express_poll"] == "projectless":
            raise errors.resource_project_invalid(version)
        if auth == "key" and project is None and switches["express_poll"] == "project":
            raise errors.not_found(f"The requested URL {req.path} was not found on this server.")
        v1beta1_refused = switches["v1beta1_project"] == "resource_project_invalid"
        if auth == "bearer" and project is not None and version == "v1beta1" and v1beta1_refused:
            raise errors.resource_project_invalid(version)
        match = _OP_NAME.match(name)
        if match is None:
            raise errors.invalid(f"Invalid operation name {name!r}.")
        if project is not None:
            self._own_project(project, name)
            same = groups["location"] == match["location"] and groups["model"] == match["model"]
            if not same or match["project"] not in (self._config.project_id, self._config.project_number):
                raise errors.invalid(f"`operationName` {name!r} does not belong to the resource in the URL.")
        elif groups["model"] != match["model"]:
            raise errors.invalid(f"`operationName` {name!r} does not belong to model {groups['model']}.")
        if op is None or op.dialect != "vertex":
            raise errors.not_found(f"Operation {name} not found (it may have expired).")
        return self._poll_reply(op)

    def _poll_reply(self, op: SimOperation) -> Reply:
        self._stats.count("polls")
        if not op.is_done(self._book.now_s()):
            return json_reply({"name": op.name})
        reply = self._finished(op)
        self._book.observe_done(op)
        return reply

    def _finished(self, op: SimOperation) -> Reply:
        result = op.plan.result
        if isinstance(result, a.OperationError):
            error = {"code": result.code, "message": result.message, "details": []}
            return json_reply({"name": op.name, "done": True, "error": error})
        if isinstance(result, a.NoVideo):
            return json_reply({"name": op.name, "done": True, "response": {"@type": RESPONSE_TYPE}})
        filtered = 0
        reasons: tuple[str, ...] = ()
        if isinstance(result, a.Filter):
            filtered = op.sample_count if result.count is None else min(result.count, op.sample_count)
            reasons = result.reasons
        if op.storage_uri:
            return json_reply({"name": op.name, "done": True, "response": self._gcs_response(op, filtered, reasons)})
        size = op.plan.size_bytes or self._config.video_size_bytes
        videos = [
            Video.make(op.aspect_ratio, size, duration_s=op.request.duration_s, audio=op.request.audio,
                       tag=f"veo-sim {op.id} sample {index}")
            for index in range(op.sample_count - filtered)
        ]  # fmt: skip
        return _inline_videos_reply(op.name, videos, filtered, reasons, truncated=op.plan.truncated_base64)

    @staticmethod
    def _gcs_response(op: SimOperation, filtered: int, reasons: tuple[str, ...]) -> dict[str, Any]:
        base = f"{str(op.storage_uri).rstrip('/')}/{op.id}"
        response: dict[str, Any] = {"@type": RESPONSE_TYPE, "raiMediaFilteredCount": filtered}
        if filtered:
            response["raiMediaFilteredReasons"] = list(reasons)
        response["videos"] = [
            {"gcsUri": f"{base}/sample_{i}.mp4", "mimeType": "video/mp4"} for i in range(op.sample_count - filtered)
        ]
        return response

    # --- model check and list ---
    def models(self, req: Req, groups: dict[str, str | None]) -> Reply:
        switches = self._switches.resolve()
        model_id = groups.get("model")
        if model_id is None:
            return _paged(req.query, [_publisher_model(m.id) for m in listed("vertex", switches)])
        if served(model_id, "vertex", switches) is None:
            raise _model_not_found(f"publishers/google/models/{model_id}")
        return json_reply(_publisher_model(model_id))


def _publisher_model(model_id: str) -> dict[str, Any]:
    stage = MODELS[model_id].launch_stage
    return {
        "name": f"publishers/google/models/{model_id}",
        "versionId": model_id.rsplit("-", 1)[-1],
        "launchStage": stage,
        "openSourceCategory": "PROPRIETARY",
        "publisherModelTemplate": "projects/{project}/locations/{location}/publishers/google/models/" + model_id,
    }


def _paged(query: dict[str, list[str]], entries: list[dict[str, Any]]) -> Reply:
    raw_size, token = query.get("pageSize", ["2"])[0], query.get("pageToken", [""])[0]
    size = int(raw_size) if raw_size.isdigit() and int(raw_size) > 0 else 2
    offset = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
    page: dict[str, Any] = {"publisherModels": entries[offset : offset + size]}
    if offset + size < len(entries):
        page["nextPageToken"] = base64.urlsafe_b64encode(str(offset + size).encode()).decode()
    return json_reply(page)


def _model_not_found(resource: str) -> errors.ApiError:
    return errors.not_found(
        f"Publisher Model `{resource}` was not found or your project does not have access to it. "
        "Please ensure you are using a valid model version."
    )


def _body_prompt(raw_body: bytes) -> str | None:
    try:
        body = json.loads(raw_body or b"{}")
        prompt = body["instances"][0].get("prompt")
    except (ValueError, UnicodeDecodeError, KeyError, IndexError, TypeError, AttributeError):
        return None
    return prompt if isinstance(prompt, str) else None


def _inline_videos_reply(
    name: str, videos: list[Video], filtered: int, reasons: tuple[str, ...], *, truncated: bool = False
) -> Reply:
    """The finished answer with every delivered video as base64, written in pieces (never whole);
    `truncated`: each base64 string stops after about half its length, at a length no decoder accepts."""
    head = '{"name":' + json.dumps(name) + ',"done":true,"response":{"@type":"' + RESPONSE_TYPE + '",'
    head += f'"raiMediaFilteredCount":{filtered},'
    if filtered:
        head += '"raiMediaFilteredReasons":' + json.dumps(list(reasons)) + ","
    head_bytes = (head + '"videos":[').encode()
    open_video, close_video, tail = b'{"bytesBase64Encoded":"', b'","mimeType":"video/mp4"}', b"]}}"
    length = len(head_bytes) + len(tail) + max(0, len(videos) - 1)
    sizes = [(v.base64_length() // 8) * 4 + 1 if truncated else v.base64_length() for v in videos]
    length += sum(len(open_video) + size + len(close_video) for size in sizes)

    def chunks() -> Iterator[bytes]:
        yield head_bytes
        for index, (video, size) in enumerate(zip(videos, sizes, strict=True)):
            yield (b"," if index else b"") + open_video
            remaining = size
            for piece in video.iter_base64():
                if remaining <= 0:
                    break
                yield piece[:remaining]
                remaining -= len(piece)
            yield close_video
        yield tail

    return Reply(200, Body(length, "application/json; charset=UTF-8", chunks))
