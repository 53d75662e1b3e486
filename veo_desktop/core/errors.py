"""The one error tree of Veo calls. The client translates httpx and HTTP answers into it at the boundary;
the dispatcher decides what each means for a job.

    VeoError
    ├── TransientError        retry with backoff (500/503, network trouble before or after sending)
    │   └── QuotaError        429 RESOURCE_EXHAUSTED; `retry_after_s` from RetryInfo when given
    ├── ProtocolError         an answer we cannot understand (HTML page, malformed JSON, missing fields)
    ├── PermanentError        400 INVALID_ARGUMENT and other refusals: retrying will not help
    │   └── NotFoundError     404: unknown or retired model, expired operation or file
    ├── AuthError             401/403: bad key, API disabled, billing off: pause the whole queue
    └── StartOutcomeUnknown   the start request was sent and no answer came: never resend on our own

`NotSentError` (a TransientError) marks failures where the request provably never left this machine
(connection refused, DNS, connect timeout): a start that failed this way is safe to retry.
"""

from __future__ import annotations


class VeoError(Exception):
    """Root of every error a Veo provider raises. Messages never contain the API key."""

    def __init__(self, message: str, *, http_status: int | None = None, status: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.status = status


class TransientError(VeoError):
    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        status: str | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message, http_status=http_status, status=status)
        self.retry_after_s = retry_after_s


class NotSentError(TransientError):
    """The request never left this machine; even a paid start call may be repeated."""


class QuotaError(TransientError):
    """429 RESOURCE_EXHAUSTED."""


class ProtocolError(VeoError):
    """The server answered something that is not the documented JSON."""


class PermanentError(VeoError):
    """The server refused the request; the same request will be refused again."""


class NotFoundError(PermanentError):
    """404 NOT_FOUND: model retired or unknown, operation or file expired."""


class AuthError(VeoError):
    """401/403: the key is wrong or the project cannot use Veo."""


class StartOutcomeUnknown(VeoError):
    """The start call may or may not have created a (billed) operation at Google."""
