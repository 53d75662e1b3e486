"""Google's error envelope: {"error": {"code", "message", "status", "details"}}, and the stock answers."""

from __future__ import annotations

import math
from typing import Any

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

_STOCK_MESSAGES = {
    400: "Request contains an invalid argument.",
    401: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
    "other valid authentication credential.",
    403: "Generative Language API has not been used in project 123 before or it is disabled. Enable it by "
    "visiting the Google Cloud console, then retry.",
    404: "Requested entity was not found.",
    429: "Resource has been exhausted (e.g. check quota).",
    500: "An internal error has occurred. Please retry or report in "
    "https://developers.generativeai.google/guide/troubleshooting",
    503: "The service is currently unavailable.",
}


class ApiError(Exception):
    """An answer in Google's error envelope; raised anywhere in a route, written by the handler."""

    def __init__(self, http_status: int, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.message = message
        self.details = details or []

    def envelope(self) -> dict[str, Any]:
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


def stock_error(http_status: int, retry_after_s: float | None = None) -> ApiError:
    """The error a scripted `http_error(status)` answers with."""
    details: list[dict[str, Any]] = []
    if http_status == 403:
        details.append(error_info("SERVICE_DISABLED"))
    if retry_after_s is not None:
        details.append(retry_info(retry_after_s))
    return ApiError(http_status, _STOCK_MESSAGES.get(http_status, "The request failed."), details)


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
    violation = {"subject": "veo-simulator", "description": message}
    details: list[dict[str, Any]] = [
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [violation]},
        retry_info(retry_after_s),
    ]
    return ApiError(429, message, details)


def invalid(message: str) -> ApiError:
    return ApiError(400, message)


def not_found(message: str = "Requested entity was not found.") -> ApiError:
    return ApiError(404, message)
