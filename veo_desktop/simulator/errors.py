"""Google's error envelope: {"error": {"code", "message", "status", "details"}}, and the stock answers."""

from __future__ import annotations

import math
from typing import Any

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

_STOCK_MESSAGES = {
    400: "Request contains an invalid argument.",
    401: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
    "other valid authentication credential.",
    404: "Requested entity was not found.",
    429: "Resource has been exhausted (e.g. check quota).",
    500: "An internal error has occurred. Please retry or report in "
    "https://developers.generativeai.google/guide/troubleshooting",
    409: "The operation was aborted, retry the request.",
    503: "The service is currently unavailable.",
}


class ApiError(Exception):
    """An answer in Google's error envelope; raised anywhere in a route, written by the handler."""

    def __init__(
        self,
        http_status: int,
        message: str,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.message = message
        self.details = details or []
        self.headers = headers or {}

    def envelope(self, style: str = "google") -> dict[str, Any]:
        """Google's envelope, or (`schema`, the Interactions SDK's generated type) a URI code and a message."""
        if style == "schema":
            status = STATUS_NAMES.get(self.http_status, "UNKNOWN").lower().replace("_", "-")
            return {
                "error": {"code": f"https://generativelanguage.googleapis.com/errors/{status}", "message": self.message}
            }
        return {
            "error": {
                "code": self.http_status,
                "message": self.message,
                "status": STATUS_NAMES.get(self.http_status, "UNKNOWN"),
                "details": self.details,
            }
        }


def retry_info(retry_after_s: float) -> dict[str, str]:
    # Google writes whole seconds ("22s"); never 0, which a client could read as "retry at once forever".
    return {
        "@type": "type.googleapis.com/google.rpc.RetryInfo",
        "retryDelay": f"{max(1, math.ceil(retry_after_s))}s",
    }


def error_info(reason: str, service: str = "generativelanguage.googleapis.com") -> dict[str, Any]:
    return {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": reason,
        "domain": "googleapis.com",
        "metadata": {"service": service},
    }


def stock_error(
    http_status: int, retry_after_s: float | None = None, *, dialect: str = "vertex", retry_info_on: bool = False
) -> ApiError:
    """The error a scripted `http_error(status)` answers with. Vertex 429s carry no RetryInfo unless one is
    asked for (`retry_after_s`) or switched on; Gemini 429s carry RetryInfo and Retry-After (1 s default)."""
    details: list[dict[str, Any]] = []
    headers: dict[str, str] = {}
    service = VERTEX_SERVICE if dialect == "vertex" else GEMINI_SERVICE
    message = _STOCK_MESSAGES.get(http_status, "The request failed.")
    if http_status == 403:
        api = "Vertex AI API" if dialect == "vertex" else "Generative Language API"
        message = (
            f"{api} has not been used in project 123456789012 before or it is disabled. Enable it by visiting "
            "the Google Cloud console, then retry."
        )
        details.append(error_info("SERVICE_DISABLED", service))
    if http_status == 429 and dialect == "vertex":
        message = VERTEX_QUOTA_MESSAGE
        if retry_after_s is None and retry_info_on:
            retry_after_s = 30.0
    elif http_status == 429 and retry_after_s is None:
        retry_after_s = 1.0
    if retry_after_s is not None:
        details.append(retry_info(retry_after_s))
        if dialect != "vertex":
            headers["Retry-After"] = str(max(1, math.ceil(retry_after_s)))
    return ApiError(http_status, message, details, headers)


VERTEX_SERVICE = "aiplatform.googleapis.com"
GEMINI_SERVICE = "generativelanguage.googleapis.com"
VERTEX_QUOTA_MESSAGE = (
    "Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model with base model: "
    "veo-3.1-generate-001. Please submit a quota increase request."
)


def resource_project_invalid(version: str) -> ApiError:
    metadata = {
        "service": VERTEX_SERVICE,
        "method": f"google.cloud.aiplatform.{version}.PredictionService.PredictLongRunning",
    }
    info = {**error_info("RESOURCE_PROJECT_INVALID", VERTEX_SERVICE), "metadata": metadata}
    return ApiError(400, "Invalid resource field value in the request.", [info])


def api_keys_unsupported() -> ApiError:
    return ApiError(
        401,
        "API keys are not supported by this API. Expected OAuth2 access token or other authentication credentials "
        "that assert a principal. See https://cloud.google.com/docs/authentication",
        [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "CREDENTIALS_MISSING",
                "domain": "googleapis.com",
                "metadata": {"service": VERTEX_SERVICE},
            }
        ],
    )


def access_token_expired() -> ApiError:
    return ApiError(
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid "
        "authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "ACCESS_TOKEN_EXPIRED",
                "domain": "googleapis.com",
                "metadata": {"service": VERTEX_SERVICE},
            }
        ],
    )


def bad_token() -> ApiError:
    return ApiError(
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid "
        "authentication credential.",
        [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "ACCESS_TOKEN_TYPE_UNSUPPORTED",
                "domain": "googleapis.com",
                "metadata": {"service": VERTEX_SERVICE},
            }
        ],
    )


def permission_denied(resource: str) -> ApiError:
    return ApiError(
        403,
        f"Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/{resource}' "
        "(or it may not exist).",
        [
            {
                **error_info("IAM_PERMISSION_DENIED", VERTEX_SERVICE),
                "metadata": {"permission": "aiplatform.endpoints.predict", "resource": resource},
            }
        ],
    )


def vertex_quota(message: str, retry_after_s: float | None) -> ApiError:
    """The simulator's own Vertex quota: no RetryInfo unless `retry_after_s` is given (the switch is on)."""
    return ApiError(429, message, [retry_info(retry_after_s)] if retry_after_s is not None else [])


def missing_key() -> ApiError:
    return ApiError(
        401,
        "Request is missing required authentication credential. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential.",
        [error_info("CREDENTIALS_MISSING")],
    )


def invalid_key() -> ApiError:
    return ApiError(400, "API key not valid. Please pass a valid API key.", [error_info("API_KEY_INVALID")])


def quota_exhausted(message: str, retry_after_s: float) -> ApiError:
    """The simulator's own Gemini quota: QuotaFailure, RetryInfo and Retry-After."""
    violation = {"subject": "veo-simulator", "description": message}
    details: list[dict[str, Any]] = [
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [violation]},
        retry_info(retry_after_s),
    ]
    return ApiError(429, message, details, {"Retry-After": str(max(1, math.ceil(retry_after_s)))})


def invalid(message: str) -> ApiError:
    return ApiError(400, message)


def not_found(message: str = "Requested entity was not found.") -> ApiError:
    return ApiError(404, message)
