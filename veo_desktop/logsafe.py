"""Keep the API key out of every log line and exception text.

`register_secret(key)` adds a value to mask; `KeyMaskingFilter` (installed on the root handlers by
`logging_setup`) replaces registered values and anything shaped like a Google API key. `mask(text)` is the
same masking for strings that go elsewhere (error dialogs, crash reports).
"""

from __future__ import annotations

import logging
import re
import threading

_GOOGLE_KEY = re.compile(r"AIza[0-9A-Za-z_\-]{35}")
_lock = threading.Lock()
_secrets: set[str] = set()
MASK = "***"


def register_secret(value: str | None) -> None:
    if value and len(value) >= 6:
        with _lock:
            _secrets.add(value)


def mask(text: str) -> str:
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return _GOOGLE_KEY.sub(MASK, text)


class KeyMaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = str(record.msg)
        masked = mask(message)
        if masked != message or record.args:
            record.msg = masked
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
        return True
