"""The error mapping: HTTP answers and httpx exceptions → core.errors, and proof that it is complete."""

from __future__ import annotations

import json
from collections.abc import Sequence

import httpx
import pytest

from tests.client.helpers import CANARY
from veo_desktop.client.translate import (
    bad_answer_error,
    error_from_response,
    error_from_transport,
    parse_retry_delay,
)
from veo_desktop.core.errors import (
    AuthError,
    ExpressModeRefused,
    NotAcceptedError,
    NotFoundError,
    NotSentError,
    PermanentError,
    ProtocolError,
    QuotaError,
    SpendCapReached,
    StartOutcomeUnknown,
    TransientError,
    VeoError,
)
from veo_desktop.logsafe import register_secret


def envelope(code: int, status: str, message: str = "m", details: Sequence[object] | None = None) -> bytes:
    return json.dumps(
        {"error": {"code": code, "message": message, "status": status, "details": list(details or [])}}
    ).encode()


HTML = b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>"
KEY_INVALID = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}]

RESPONSE_CASES: list[tuple[int, bytes, dict[str, str], type[VeoError]]] = [
    (400, envelope(400, "INVALID_ARGUMENT", "durationSeconds is out of bound"), {}, PermanentError),
    (400, envelope(400, "INVALID_ARGUMENT", "API key not valid.", KEY_INVALID), {}, AuthError),
    (401, envelope(401, "UNAUTHENTICATED"), {}, AuthError),
    (403, envelope(403, "PERMISSION_DENIED", "SERVICE_DISABLED"), {}, AuthError),
    (404, envelope(404, "NOT_FOUND", "model retired"), {}, NotFoundError),
    (429, envelope(429, "RESOURCE_EXHAUSTED"), {}, QuotaError),
    (429, HTML, {}, QuotaError),
    (500, envelope(500, "INTERNAL"), {}, TransientError),
    (502, HTML, {}, TransientError),
    (503, envelope(503, "UNAVAILABLE"), {}, TransientError),
    (504, b"", {}, TransientError),
    (501, envelope(501, "UNIMPLEMENTED"), {}, PermanentError),
    (409, envelope(409, "ALREADY_EXISTS"), {}, PermanentError),
    (302, b"{}", {}, PermanentError),
    (404, HTML, {}, ProtocolError),
    (400, b'{"error": {"code": 400, "mess', {}, ProtocolError),
    (403, b"[1, 2]", {}, ProtocolError),
]


GENERATED_SCHEMA_409 = json.dumps({"error": {"code": "https://example.invalid/conflict", "message": "busy"}}).encode()
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
PROJECT_INVALID = [{"@type": ERROR_INFO, "reason": "RESOURCE_PROJECT_INVALID", "domain": "googleapis.com"}]
CREDENTIALS_MISSING = [{"@type": ERROR_INFO, "reason": "CREDENTIALS_MISSING", "domain": "googleapis.com"}]

# veo-api.md §7/§8 for the paid create: only answers that prove "not accepted" may be resent.
START_CASES: list[tuple[int, bytes, type[VeoError]]] = [
    (429, envelope(429, "RESOURCE_EXHAUSTED"), QuotaError),
    (429, HTML, QuotaError),
    (503, envelope(503, "UNAVAILABLE"), NotAcceptedError),
    (409, envelope(409, "ABORTED"), StartOutcomeUnknown),  # Vertex AI: not listed as "not accepted"
    (409, GENERATED_SCHEMA_409, StartOutcomeUnknown),
    (503, HTML, StartOutcomeUnknown),
    (503, b"", StartOutcomeUnknown),
    (500, envelope(500, "INTERNAL"), StartOutcomeUnknown),
    (502, HTML, StartOutcomeUnknown),
    (504, envelope(504, "DEADLINE_EXCEEDED"), StartOutcomeUnknown),
    (501, envelope(501, "UNIMPLEMENTED"), StartOutcomeUnknown),
    (404, HTML, StartOutcomeUnknown),
    (400, b'{"error": {"code": 400, "mess', StartOutcomeUnknown),
    (400, envelope(400, "INVALID_ARGUMENT"), PermanentError),
    (400, envelope(400, "INVALID_ARGUMENT", "API key not valid.", KEY_INVALID), AuthError),
    (401, envelope(401, "UNAUTHENTICATED"), AuthError),
    (403, envelope(403, "PERMISSION_DENIED"), AuthError),
    (404, envelope(404, "NOT_FOUND"), NotFoundError),
]


@pytest.mark.parametrize(("status", "body", "expected"), START_CASES)
def test_start_answer_mapping(status: int, body: bytes, expected: type[VeoError]) -> None:
    assert type(error_from_response(status, body, {}, context="X", start=True)) is expected


@pytest.mark.parametrize("body", [envelope(409, "ABORTED"), GENERATED_SCHEMA_409])
def test_interactions_409_on_a_create_is_not_accepted(body: bytes) -> None:
    """The Interactions API's 409 proves the create was not accepted (resent later); elsewhere it stays unknown."""
    assert type(error_from_response(409, body, {}, context="X", start=True, interactions=True)) is NotAcceptedError
    assert type(error_from_response(409, body, {}, context="X", start=True)) is StartOutcomeUnknown
    assert type(error_from_response(409, body, {}, context="X", start=False, interactions=True)) is PermanentError


@pytest.mark.parametrize(
    ("status", "details", "express", "expected"),
    [
        (400, PROJECT_INVALID, True, ExpressModeRefused),
        (401, CREDENTIALS_MISSING, True, ExpressModeRefused),
        (400, PROJECT_INVALID, False, PermanentError),
        (401, CREDENTIALS_MISSING, False, AuthError),
    ],
)
def test_express_refusal(status: int, details: list[object], express: bool, expected: type[VeoError]) -> None:
    body = envelope(status, "INVALID_ARGUMENT", "Invalid resource field value in the request.", details)
    for start in (True, False):
        error = error_from_response(status, body, {}, context="X", start=start, express=express)
        assert type(error) is expected
        if expected is ExpressModeRefused:
            assert isinstance(error, AuthError) and "vertex-project" in str(error)


@pytest.mark.parametrize(("status", "body", "headers", "expected"), RESPONSE_CASES)
def test_http_answer_mapping(status: int, body: bytes, headers: dict[str, str], expected: type[VeoError]) -> None:
    err = error_from_response(status, body, headers, context="Starting the generation")
    assert type(err) is expected
    assert err.http_status == status
    assert err.message.startswith("Starting the generation failed")


def test_server_message_and_status_are_kept() -> None:
    err = error_from_response(400, envelope(400, "INVALID_ARGUMENT", "`inlineData` isn't supported"), {}, context="X")
    assert err.status == "INVALID_ARGUMENT"
    assert "`inlineData` isn't supported" in str(err)
    assert "HTTP 400 INVALID_ARGUMENT" in str(err)


@pytest.mark.parametrize(
    ("details", "headers", "expected"),
    [
        ([{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "22s"}], {}, 22.0),
        ([{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.5s"}], {}, 1.5),
        ([{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0.500s"}], {"retry-after": "9"}, 0.5),
        ([{"@type": "type.googleapis.com/google.rpc.QuotaFailure"}], {"retry-after": "7"}, 7.0),
        ([], {"retry-after": "Wed, 21 Oct 2026 07:28:00 GMT"}, None),
        ([], {}, None),
    ],
)
def test_quota_retry_after(details: list[object], headers: dict[str, str], expected: float | None) -> None:
    err = error_from_response(429, envelope(429, "RESOURCE_EXHAUSTED", details=details), headers, context="X")
    assert isinstance(err, QuotaError)
    assert err.retry_after_s == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("22s", 22.0),
        ("1.5s", 1.5),
        (" 3s ", 3.0),
        (".25s", 0.25),
        ("22", None),
        ("-1s", None),
        ("abc", None),
        ({"seconds": 2, "nanos": 500_000_000}, 2.5),
        (None, None),
        (5, None),
    ],
)
def test_parse_retry_delay(value: object, expected: float | None) -> None:
    assert parse_retry_delay(value) == expected


def _all_subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    sub: type
    for sub in cls.__subclasses__():
        found |= {sub} | _all_subclasses(sub)
    return found


# Every httpx exception class → (error on a start call, error elsewhere).
TRANSPORT_TABLE: dict[type[Exception], tuple[type[VeoError], type[VeoError]]] = {
    httpx.ConnectError: (NotSentError, NotSentError),
    httpx.ConnectTimeout: (NotSentError, NotSentError),
    httpx.PoolTimeout: (NotSentError, NotSentError),
    httpx.ProxyError: (NotSentError, NotSentError),
    httpx.InvalidURL: (PermanentError, PermanentError),
    httpx.UnsupportedProtocol: (PermanentError, PermanentError),
    httpx.LocalProtocolError: (PermanentError, PermanentError),
    httpx.ReadTimeout: (StartOutcomeUnknown, TransientError),
    httpx.WriteTimeout: (StartOutcomeUnknown, TransientError),
    httpx.ReadError: (StartOutcomeUnknown, TransientError),
    httpx.WriteError: (StartOutcomeUnknown, TransientError),
    httpx.CloseError: (StartOutcomeUnknown, TransientError),
    httpx.RemoteProtocolError: (StartOutcomeUnknown, TransientError),
    httpx.DecodingError: (StartOutcomeUnknown, ProtocolError),
    httpx.TooManyRedirects: (StartOutcomeUnknown, ProtocolError),
    httpx.HTTPStatusError: (QuotaError, QuotaError),  # by its response: built below as a 429
    # The abstract families (raised as such by some transports) fall back by position in the tree:
    httpx.HTTPError: (StartOutcomeUnknown, TransientError),
    httpx.RequestError: (StartOutcomeUnknown, TransientError),
    httpx.TransportError: (StartOutcomeUnknown, TransientError),
    httpx.TimeoutException: (StartOutcomeUnknown, TransientError),
    httpx.NetworkError: (StartOutcomeUnknown, TransientError),
    httpx.ProtocolError: (StartOutcomeUnknown, TransientError),
}


def make_exception(cls: type[Exception]) -> Exception:
    request = httpx.Request("POST", "http://127.0.0.1:1/v1beta/models/m:predictLongRunning")
    if cls is httpx.HTTPStatusError:
        response = httpx.Response(429, content=envelope(429, "RESOURCE_EXHAUSTED"), request=request)
        return httpx.HTTPStatusError("429", request=request, response=response)
    if cls in (httpx.InvalidURL, httpx.HTTPError):
        return cls("bad url")
    return cls("boom", request=request)  # type: ignore[call-arg]


def test_every_httpx_exception_family_is_in_the_table() -> None:
    families = _all_subclasses(httpx.HTTPError) | {httpx.HTTPError, httpx.InvalidURL}
    assert families == set(TRANSPORT_TABLE), "a new httpx exception needs a decision in translate.py"


@pytest.mark.parametrize("cls", list(TRANSPORT_TABLE), ids=lambda c: c.__name__)
def test_transport_mapping(cls: type[Exception]) -> None:
    on_start, elsewhere = TRANSPORT_TABLE[cls]
    assert type(error_from_transport(make_exception(cls), context="X", start=True)) is on_start
    assert type(error_from_transport(make_exception(cls), context="X", start=False)) is elsewhere


def test_every_veo_error_is_reachable() -> None:
    reached: set[type[VeoError]] = set()
    for status, body, headers, _ in RESPONSE_CASES:
        for start, express in ((False, False), (True, False), (False, True)):
            error = error_from_response(status, body, headers, context="X", start=start, express=express)
            reached.add(type(error))
    reached.add(type(error_from_response(503, envelope(503, "UNAVAILABLE"), {}, context="X", start=True)))
    project_invalid = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RESOURCE_PROJECT_INVALID"}]
    refused = error_from_response(
        400, envelope(400, "INVALID_ARGUMENT", "x", project_invalid), {}, context="X", express=True
    )
    reached.add(type(refused))
    reached.add(SpendCapReached)  # not an HTTP answer: Omni's `budget_exceeded` status (test_omni_mock)
    for cls in TRANSPORT_TABLE:
        for start in (True, False):
            reached.add(type(error_from_transport(make_exception(cls), context="X", start=start)))
    for start in (True, False):
        reached.add(type(bad_answer_error("X", "no name", start=start)))
    assert reached >= _all_subclasses(VeoError), _all_subclasses(VeoError) - reached


def test_key_is_masked_in_server_messages_and_transport_errors() -> None:
    register_secret(CANARY)
    err = error_from_response(400, envelope(400, "INVALID_ARGUMENT", f"key {CANARY} bad", KEY_INVALID), {}, context="X")
    assert CANARY not in str(err) and "***" in str(err)
    exc = httpx.ConnectError(f"cannot connect with {CANARY}")
    assert CANARY not in str(error_from_transport(exc, context="X", start=True))
    assert CANARY not in str(bad_answer_error("X", f"detail {CANARY}", start=True))


def test_long_server_messages_are_cut_and_control_characters_removed() -> None:
    err = error_from_response(400, envelope(400, "INVALID_ARGUMENT", "a\x1b[31mb\n" + "x" * 5000), {}, context="X")
    assert "\x1b" not in str(err) and "\n" not in str(err)
    assert len(str(err)) < 700
