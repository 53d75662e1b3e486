"""Vertex AI with a Google Cloud project and region (OAuth2 Bearer tokens): provider `vertex-project`.

start     POST {base(region)}/{v}/projects/{p}/locations/{region}/publishers/google/models/{m}:predictLongRunning
poll      POST {base(L)}/{v}/{resource}:fetchPredictOperation, L = the location inside the operation name (the
          name is stored verbatim and never compared with the configured project)
models    GET  {base(region)}/{v}/publishers/google/models
check     a token refresh, then GET {base(region)}/{v}/publishers/google/models/{m}

`base(region)` is `base_url` with `{region}` filled in (`https://{region}-aiplatform.googleapis.com` by
default), and `global_base_url` for the location `global`. Each host gets its own session, so the token goes
only to the host a URL was built for. Token handling (refresh in a worker thread, one renewal after a 401, a
start answered 401 requeued rather than resent) is in `oauth` and `session`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import httpx

from veo_desktop.client.base import CredentialCheck, OperationStatus, RemoteModel, StartSpec, VideoRef
from veo_desktop.client.oauth import BearerAuth, TokenSource
from veo_desktop.client.session import ApiSession, check_model_id, check_resource_name
from veo_desktop.client.vertex import DEFAULT_CHECK_MODEL
from veo_desktop.client.vertex_ops import (
    check_api_version,
    check_publisher_model,
    list_publisher_models,
    move_staged_video,
    poll_operation,
    split_operation_name,
    start_operation,
)
from veo_desktop.core.errors import AuthError, PermanentError, VeoError

__all__ = [
    "DEFAULT_GLOBAL_BASE",
    "DEFAULT_REGION",
    "DEFAULT_REGIONAL_BASE",
    "VertexProjectProvider",
    "regional_base",
]

DEFAULT_REGION = "us-central1"
DEFAULT_REGIONAL_BASE = "https://{region}-aiplatform.googleapis.com"
DEFAULT_GLOBAL_BASE = "https://aiplatform.googleapis.com"

_REGION = re.compile(r"[a-z][a-z0-9-]{1,62}")
_PROJECT = re.compile(r"[a-z0-9][a-z0-9.:-]{0,127}")
_LOCATION_IN_NAME = re.compile(r"^projects/[^/]+/locations/([^/]+)/")


def check_region(region: str) -> str:
    if not _REGION.fullmatch(region):
        raise ValueError(f"The region {region!r} is not a Google Cloud region such as us-central1.")
    return region


def regional_base(template: str, global_base: str, region: str) -> str:
    """The API host for `region`: `global_base` for "global", else `template` with `{region}` filled in."""
    check_region(region)
    if region == "global":
        return global_base
    return template.replace("{region}", region)


class VertexProjectProvider:
    """Veo through Vertex AI with a project. Does not own `http`: the composition root closes it."""

    name = "vertex-project"

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        tokens: TokenSource,
        project: str | None,
        region: str = DEFAULT_REGION,
        base_url: str = DEFAULT_REGIONAL_BASE,
        global_base_url: str = DEFAULT_GLOBAL_BASE,
        api_version: str = "v1",
        check_model: str = DEFAULT_CHECK_MODEL,
    ) -> None:
        self._http = http
        self._tokens = tokens
        self._auth = BearerAuth(tokens)
        self._project = project.strip() if project else None
        self._region = check_region(region)
        self._template = base_url
        self._global = global_base_url
        self._version = check_api_version(api_version)
        self._check_model = check_model_id(check_model)
        self._sessions: dict[str, ApiSession] = {}
        self._session_for(self._region)  # validates the base URLs now, not at the first start

    def _session_for(self, location: str) -> ApiSession:
        base = regional_base(self._template, self._global, location)
        session = self._sessions.get(base)
        if session is None:
            session = ApiSession(self._http, base_url=base, auth=self._auth)
            self._sessions[base] = session
        return session

    async def _project_id(self) -> str:
        project = self._project or await self._tokens.project()
        if not project:
            raise AuthError(
                "No Google Cloud project is set: enter one in Settings or pass --project (the credentials do "
                "not name one)."
            )
        if not _PROJECT.fullmatch(project):
            raise PermanentError(f"The project {project!r} is not a Google Cloud project id.")
        return project

    async def start(self, spec: StartSpec) -> str:
        model = check_model_id(spec.model_id)
        project = await self._project_id()
        path = (
            f"{self._version}/projects/{project}/locations/{self._region}"
            f"/publishers/google/models/{model}:predictLongRunning"
        )
        return await start_operation(self._session_for(self._region), path, spec)

    async def poll(self, operation_name: str, *, staging_dir: Path) -> OperationStatus:
        name = check_resource_name(operation_name)
        resource, _ = split_operation_name(name)
        match = _LOCATION_IN_NAME.match(name)
        location = match.group(1) if match else self._region
        session = self._session_for(location)
        path = f"{self._version}/{resource}:fetchPredictOperation"
        return await poll_operation(session, path, name, staging_dir=staging_dir)

    async def download(self, video: VideoRef, dest: Path) -> int:
        return await move_staged_video(video, dest)

    async def list_models(self) -> Sequence[RemoteModel]:
        return await list_publisher_models(self._session_for(self._region), self._version)

    async def check_credentials(self) -> CredentialCheck:
        try:
            await self._tokens.token()
        except VeoError as exc:
            return CredentialCheck("refused" if isinstance(exc, AuthError) else "unknown", str(exc))
        return await check_publisher_model(self._session_for(self._region), self._version, self._check_model)

    async def aclose(self) -> None:
        """Nothing to close: the shared httpx client belongs to the composition root."""
