"""The application's one error tree. The client translates httpx and HTTP answers into the `VeoError` branch
at the boundary and the stores translate sqlite3 (or PostgreSQL) errors into the `StoreError` branch; the
dispatcher decides what each means for a job, and the front ends show `str(error)`, a sentence that says what
to do.

    AppError
    ├── VeoError              (from a provider)
    │   ├── TransientError        retry with backoff (500/503, network trouble before or after sending)
    │   │   ├── QuotaError        429 RESOURCE_EXHAUSTED; `retry_after_s` from RetryInfo when given
    │   │   └── NotAcceptedError  a start refused in a way that proves nothing was created (503 with Google's
    │   │                         envelope, 409, 401 with a stale token): safe to send again later
    │   ├── ProtocolError         an answer we cannot understand (HTML page, malformed JSON, missing fields)
    │   ├── PermanentError        400 INVALID_ARGUMENT and other refusals: retrying will not help
    │   │   └── NotFoundError     404: unknown or retired model, expired operation or file
    │   ├── AuthError             401/403: bad key, API disabled, billing off: pause the whole queue
    │   │   ├── ExpressModeRefused  express mode does not serve Veo to this key: use `vertex-project`
    │   │   └── SpendCapReached     the AI Studio spend cap stopped a generation (Omni `budget_exceeded`)
    │   └── StartOutcomeUnknown   the start request was sent and no answer came: never resend on our own
    └── StoreError            (from a store)
        ├── StaleTransition   the job was not in the expected state: another task or process moved it first
        ├── JobNotFound
        ├── BudgetExceeded    queuing would pass today's budget; nothing was stored
        ├── StoreUnavailable  the team database cannot be reached (network, TLS, restart): nothing was lost
        └── StoreUnusable     the store cannot be used as it is (CLI exit code 4); the file is left as it was
            ├── StoreCorrupted    the database failed its integrity check; kept untouched
            ├── StoreLocked       another program held the database for too long
            ├── StoreReadOnly     the file, its folder or its disk cannot be written
            ├── StoreTooNew       made by a newer version of the app
            └── StoreDiskFull     the disk filled up during a commit; the transaction was rolled back

`NotSentError` (a TransientError) marks failures where the request provably never left this machine
(connection refused, DNS, connect timeout): a start that failed this way is safe to retry.
"""

from __future__ import annotations


class AppError(Exception):
    """Root of every error the application raises on purpose; `str()` is a sentence for the user."""


class VeoError(AppError):
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


class NotAcceptedError(TransientError):
    """The server answered a start in a way that proves it created nothing (503 with Google's envelope, 409
    from the Interactions API, 401 for a token that was then refreshed): the start may be sent again later."""


class ProtocolError(VeoError):
    """The server answered something that is not the documented JSON."""


class PermanentError(VeoError):
    """The server refused the request; the same request will be refused again."""


class NotFoundError(PermanentError):
    """404 NOT_FOUND: model retired or unknown, operation or file expired."""


class AuthError(VeoError):
    """401/403: the key is wrong or the project cannot use Veo."""


class ExpressModeRefused(AuthError):
    """Vertex AI express mode answered RESOURCE_PROJECT_INVALID or CREDENTIALS_MISSING: this API key cannot
    use Veo without a project. Every waiting job would get the same answer: pause once, offer `vertex-project`."""


class SpendCapReached(AuthError):
    """The Gemini API stopped an interaction at the project's spend cap; later starts would stop the same way."""


class StartOutcomeUnknown(VeoError):
    """The start call may or may not have created a (billed) operation at Google."""


class StoreError(AppError):
    """Root of store errors; messages say what to do."""


class StaleTransition(StoreError):
    """The job was not in the expected state (another process or task moved it first)."""


class JobNotFound(StoreError):
    pass


class BudgetExceeded(StoreError):
    """Queuing these jobs would pass today's budget."""


class StoreUnusable(StoreError):
    """The store cannot be used as it is (wrong path, permissions, damage, disk); nothing in it was changed."""


class StoreCorrupted(StoreUnusable):
    """The database failed its integrity check; it is kept untouched for inspection."""


class StoreLocked(StoreUnusable):
    """Another program held the database lock for too long."""


class StoreReadOnly(StoreUnusable):
    """The database file, its folder or its file system cannot be written."""


class StoreTooNew(StoreUnusable):
    """The database was made by a newer version of the app; it is not opened for writing."""


class StoreDiskFull(StoreUnusable):
    """The disk holding the database is full; the interrupted transaction was rolled back."""


class StoreUnavailable(StoreError):
    """The team database cannot be reached now (network, TLS, a restart); it reconnects by itself."""
