"""Translate httpx exceptions and HTTP answers into the one error tree of `core.errors`.

    HTTP answer                                          error
    400 with ErrorInfo reason API_KEY_INVALID            AuthError
    400                                                  PermanentError
    401, 403                                             AuthError
    404                                                  NotFoundError
    429 (any body)                                       QuotaError, retry_after_s from RetryInfo `retryDelay`
                                                         ("22s", "1.5s") or a `Retry-After: <seconds>` header
    500, 502, 503, 504 (any body)                        TransientError (polls, GETs, downloads)
    on a start (start=True):
      503 with Google's envelope; 409 with JSON from     NotAcceptedError (nothing was created: resend later)
      the Interactions API (interactions=True)
      409 from Vertex AI (not listed as "not accepted")  StartOutcomeUnknown (never resent by itself)
      500, 502, 504, 503 without envelope, non-JSON      StartOutcomeUnknown
    express=True: reason RESOURCE_PROJECT_INVALID or     ExpressModeRefused (an AuthError: use vertex-project)
      CREDENTIALS_MISSING
    other statuses                                       PermanentError
    non-JSON or HTML body (not 429 / 5xx)                ProtocolError
    2xx with an unusable body                            ProtocolError; StartOutcomeUnknown for a start call

    httpx exception (request provably not sent)          error
    ConnectError, ConnectTimeout, PoolTimeout, ProxyError  NotSentError
    InvalidURL, UnsupportedProtocol, LocalProtocolError  PermanentError (bad configuration or a bug)

    httpx exception (the request may have been sent)     error on a start call / elsewhere
    ReadTimeout, WriteTimeout, ReadError, WriteError,    StartOutcomeUnknown / TransientError
    CloseError, RemoteProtocolError (and any other
    TransportError)
    DecodingError, TooManyRedirects                      StartOutcomeUnknown / ProtocolError
    HTTPStatusError                                      by its response status, as above

Every message goes through `logsafe.mask`, so an API key echoed by a server never reaches an exception text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import httpx

from veo_desktop.core.errors import (
    AuthError,
    ExpressModeRefused,
    NotAcceptedError,
    NotFoundError,
    NotSentError,
    PermanentError,
    ProtocolError,
    QuotaError,
    StartOutcomeUnknown,
    TransientError,
    VeoError,
)
from veo_desktop.logsafe import mask

__all__ = [
    "EXPRESS_REFUSALS",
    "bad_answer_error",
    "error_from_response",
    "error_from_transport",
    "error_reasons",
    "parse_retry_delay",
]

TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
_MAX_SERVER_MESSAGE = 400
_DELAY = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*s\s*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
EXPRESS_REFUSALS = frozenset({"RESOURCE_PROJECT_INVALID", "CREDENTIALS_MISSING"})

_NOT_SENT: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
)
_BAD_REQUEST: tuple[type[Exception], ...] = (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.LocalProtocolError)
_BAD_ANSWER: tuple[type[Exception], ...] = (httpx.DecodingError, httpx.TooManyRedirects)


def parse_retry_delay(value: object) -> float | None:
    """A protobuf Duration as JSON ("22s", "1.5s", or {"seconds": 22, "nanos": 0}) in seconds, else None."""
    if isinstance(value, str):
        match = _DELAY.match(value)
        return float(match.group(1)) if match else None
    if isinstance(value, Mapping):
        try:
            return float(value.get("seconds", 0)) + float(value.get("nanos", 0)) / 1e9
        except (TypeError, ValueError):
            return None
    return None


def _retry_after_header(headers: Mapping[str, str]) -> float | None:
    # Only the delta-seconds form: an HTTP date would need a wall clock here, and Google sends seconds.
    raw = headers.get("retry-after", "").strip()
    try:
        seconds = float(raw)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def _clean(text: str) -> str:
    text = _CONTROL.sub(" ", mask(text)).strip()
    if len(text) > _MAX_SERVER_MESSAGE:
        text = text[:_MAX_SERVER_MESSAGE] + "…"
    return text


def _envelope(content: bytes) -> dict[str, Any] | None:
    """The `error` object of a Google error envelope, {} for other JSON objects, None when not JSON."""
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    error = data.get("error")
    return error if isinstance(error, dict) else {}


def _details(error: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    details = error.get("details")
    if not isinstance(details, list):
        return []
    return [d for d in details if isinstance(d, Mapping)]


def _is_key_invalid(error: Mapping[str, Any]) -> bool:
    if any(d.get("reason") == "API_KEY_INVALID" for d in _details(error)):
        return True
    return "API key not valid" in str(error.get("message", ""))


def _retry_after(error: Mapping[str, Any], headers: Mapping[str, str]) -> float | None:
    for detail in _details(error):
        if str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            delay = parse_retry_delay(detail.get("retryDelay"))
            if delay is not None:
                return delay
    return _retry_after_header(headers)


def error_reasons(content: bytes) -> frozenset[str]:
    """The `details[].reason` values (ErrorInfo) of a Google error envelope; empty for anything else."""
    error = _envelope(content)
    return frozenset(str(d["reason"]) for d in _details(error or {}) if d.get("reason"))


def _has_google_envelope(error: Mapping[str, Any] | None) -> bool:
    """Google's own envelope: an `error` object with a numeric code and a message (the Interactions API's
    generated schema sends the code as a string: accepted too, since the status keys the decision)."""
    return bool(error) and "message" in (error or {}) and "code" in (error or {})


def error_from_response(
    status_code: int,
    content: bytes,
    headers: Mapping[str, str],
    *,
    context: str,
    start: bool = False,
    express: bool = False,
    interactions: bool = False,
) -> VeoError:
    """The error for an HTTP answer that is not a success. `context` says what was being done; `start` marks
    the paid create (only answers that prove it was not accepted may be resent); `express` marks Vertex AI
    express mode, where RESOURCE_PROJECT_INVALID / CREDENTIALS_MISSING mean "use a project"; `interactions` marks
    the Interactions API, whose 409 on a create proves it was not accepted (veo-api.md §7)."""
    error = _envelope(content)
    rpc_status = str(error.get("status")) if error and error.get("status") else None
    label = f"HTTP {status_code}" + (f" {rpc_status}" if rpc_status else "")
    said = _clean(str(error.get("message", ""))) if error else ""
    suffix = f" The server said: {said}" if said else ""
    kw: dict[str, Any] = {"http_status": status_code, "status": rpc_status}
    if status_code == 429:
        retry = _retry_after(error or {}, headers)
        return QuotaError(f"{context} failed: the quota is used up ({label}).{suffix}", retry_after_s=retry, **kw)
    if start:
        unaccepted = _start_not_accepted(status_code, error, context, label, suffix, kw, interactions=interactions)
        if unaccepted is not None:
            return unaccepted
    if status_code in TRANSIENT_STATUSES or (error is None and status_code >= 500):
        return TransientError(f"{context} failed: the server had a temporary problem ({label}).{suffix}", **kw)
    if error is None:
        return ProtocolError(
            f"{context} failed: the server answered {label} with something that is not the API's JSON "
            "(an HTML page or a malformed body). Check the API base URL in Settings.",
            **kw,
        )
    return _refusal(status_code, error, context, label, suffix, kw, express=express)


def _refusal(
    status_code: int,
    error: Mapping[str, Any],
    context: str,
    label: str,
    suffix: str,
    kw: dict[str, Any],
    *,
    express: bool,
) -> VeoError:
    """A 4xx (or odd status) answered with Google's JSON envelope."""
    reasons = frozenset(str(d.get("reason")) for d in _details(error))
    if express and reasons & EXPRESS_REFUSALS:
        return ExpressModeRefused(
            f"{context} failed: this API key cannot use Veo in Vertex AI express mode ({label}). "
            "Use Vertex AI with a Google Cloud project (provider vertex-project) in Settings.",
            **kw,
        )
    if status_code in (401, 403) or (status_code == 400 and _is_key_invalid(error)):
        return AuthError(
            f"{context} failed: the credentials were refused or the project cannot use Veo ({label}).{suffix} "
            "Check the key or the Google Cloud project and its billing in Settings.",
            **kw,
        )
    if status_code == 404:
        return NotFoundError(
            f"{context} failed: not found ({label}); the model may be retired, or the operation or file "
            f"expired.{suffix}",
            **kw,
        )
    return PermanentError(f"{context} failed: the request was refused ({label}).{suffix}", **kw)


def _start_not_accepted(
    status_code: int,
    error: Mapping[str, Any] | None,
    context: str,
    label: str,
    suffix: str,
    kw: dict[str, Any],
    *,
    interactions: bool,
) -> VeoError | None:
    """On a paid create: 503 with Google's envelope, and the Interactions API's 409, prove nothing was created
    (NotAcceptedError); any other 5xx, a 409 from Vertex AI (the contract does not list it as "not accepted") and
    any answer that is not the API's JSON leave the outcome unknown. None: decide as usual."""
    if status_code == 409 and not interactions:
        return StartOutcomeUnknown(
            f"{context}: the server answered {label} after the request was sent; "
            f"the generation may or may not have started.{suffix}",
            **kw,
        )
    if (status_code == 503 and _has_google_envelope(error)) or (status_code == 409 and error is not None):
        return NotAcceptedError(
            f"{context} failed: the server did not take the request ({label}); it will be sent again.{suffix}", **kw
        )
    if status_code >= 500 or error is None:
        return StartOutcomeUnknown(
            f"{context}: the server answered {label} after the request was sent; "
            f"the generation may or may not have started.{suffix}",
            **kw,
        )
    return None


def bad_answer_error(context: str, detail: str, *, start: bool, http_status: int | None = None) -> VeoError:
    """A success status with a body we cannot use. On a start call Google may have started (and billed) it."""
    if start:
        return StartOutcomeUnknown(
            f"{context}: the server accepted the request but its answer was unusable ({_clean(detail)}); "
            "the generation may or may not have started.",
            http_status=http_status,
        )
    return ProtocolError(
        f"{context} failed: unusable answer from the server ({_clean(detail)}).", http_status=http_status
    )


def _status_error(exc: httpx.HTTPStatusError, context: str) -> VeoError:
    response = exc.response
    try:
        content = response.content
    except httpx.ResponseNotRead:
        content = b""
    return error_from_response(response.status_code, content, response.headers, context=context)


def error_from_transport(exc: Exception, *, context: str, start: bool) -> VeoError:
    """The error for an httpx exception. `start` marks the paid, non-idempotent start call."""
    reason = _clean(f"{type(exc).__name__}: {exc}")
    if isinstance(exc, httpx.HTTPStatusError):
        return _status_error(exc, context)
    if isinstance(exc, _NOT_SENT):
        return NotSentError(f"{context} failed: could not reach the server ({reason}). Nothing was sent.")
    if isinstance(exc, _BAD_REQUEST):
        return PermanentError(f"{context} failed: the request could not be built ({reason}).")
    if start:
        return StartOutcomeUnknown(
            f"{context}: the connection failed after the request was sent ({reason}); "
            "the generation may or may not have started."
        )
    if isinstance(exc, _BAD_ANSWER):
        return ProtocolError(f"{context} failed: the server's answer could not be read ({reason}).")
    return TransientError(f"{context} failed: the connection broke ({reason}).")
