"""Vertex AI express mode (API key, no project): provider `vertex`.

start     POST {base}/{v}/publishers/google/models/{model}:predictLongRunning
poll      POST {base}/{v}/{resource}:fetchPredictOperation  {"operationName": NAME}
          (resource = NAME up to "/operations/"; a plain GET of the operation answers 404). When that answers
          RESOURCE_PROJECT_INVALID, 401 or 404, the projectless
          `{v}/publishers/google/models/{m}:fetchPredictOperation` is tried once (which form express mode
          serves is UNCONFIRMED, veo-api.md §3.1 `[sw: express_poll]`); the form that answered is tried first
          from then on.
download  nothing to fetch: the finished poll carries the videos inline (`vertex_ops`); `download()` moves the
          staged file into place.
models    GET {base}/{v}/publishers/google/models, when express mode answers with a list.
check     GET {base}/{v}/publishers/google/models/{default model} (UNCONFIRMED in express mode).

Express mode may refuse Veo for a key (RESOURCE_PROJECT_INVALID, CREDENTIALS_MISSING): that is
`ExpressModeRefused`, an AuthError the engine pauses the queue on, naming `vertex-project` as the fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import httpx

from veo_desktop.client.base import CredentialCheck, OperationStatus, RemoteModel, StartSpec, VideoRef
from veo_desktop.client.session import ApiKey, ApiSession, check_model_id, check_resource_name
from veo_desktop.client.vertex_ops import (
    check_api_version,
    check_publisher_model,
    list_publisher_models,
    move_staged_video,
    poll_operation,
    split_operation_name,
    start_operation,
)
from veo_desktop.core.errors import (
    AuthError,
    ExpressModeRefused,
    NotFoundError,
    PermanentError,
    ProtocolError,
    VeoError,
)

__all__ = ["DEFAULT_CHECK_MODEL", "VertexExpressProvider"]

DEFAULT_CHECK_MODEL = "veo-3.1-fast-generate-001"


def _retry_projectless(exc: VeoError) -> bool:
    return isinstance(exc, ExpressModeRefused | NotFoundError) or (
        isinstance(exc, AuthError) and exc.http_status == 401
    )


class VertexExpressProvider:
    """Veo through Vertex AI express mode. Does not own `http`: the composition root closes it."""

    name = "vertex"

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        api_key: ApiKey,
        api_version: str = "v1beta1",
        check_model: str = DEFAULT_CHECK_MODEL,
    ) -> None:
        self._session = ApiSession(http, base_url=base_url, api_key=api_key, express=True)
        self._version = check_api_version(api_version)
        self._check_model = check_model_id(check_model)
        self._projectless_first = False

    async def start(self, spec: StartSpec) -> str:
        model = check_model_id(spec.model_id)
        path = f"{self._version}/publishers/google/models/{model}:predictLongRunning"
        return await start_operation(self._session, path, spec)

    async def poll(self, operation_name: str, *, staging_dir: Path) -> OperationStatus:
        name = check_resource_name(operation_name)
        resource, model = split_operation_name(name)
        project_form = f"{self._version}/{resource}:fetchPredictOperation"
        forms = [project_form]
        if model:
            projectless = f"{self._version}/publishers/google/models/{check_model_id(model)}:fetchPredictOperation"
            forms = [projectless, project_form] if self._projectless_first else [project_form, projectless]
        try:
            return await poll_operation(self._session, forms[0], name, staging_dir=staging_dir)
        except VeoError as exc:
            if len(forms) == 1 or not _retry_projectless(exc):
                raise
        status = await poll_operation(self._session, forms[1], name, staging_dir=staging_dir)
        self._projectless_first = not self._projectless_first
        return status

    async def download(self, video: VideoRef, dest: Path) -> int:
        return await move_staged_video(video, dest)

    async def list_models(self) -> Sequence[RemoteModel]:
        try:
            return await list_publisher_models(self._session, self._version)
        except (PermanentError, ProtocolError) as exc:
            raise PermanentError(
                "Vertex AI express mode cannot list models with an API key; the built-in catalogue is used."
            ) from exc

    async def check_credentials(self) -> CredentialCheck:
        check = await check_publisher_model(self._session, self._version, self._check_model)
        if check.verdict == "unknown":
            return CredentialCheck(
                "unknown",
                "Google did not confirm the key in express mode (this check is not documented there); "
                "a start will tell.",
            )
        return check

    async def aclose(self) -> None:
        """Nothing to close: the shared httpx client belongs to the composition root."""
