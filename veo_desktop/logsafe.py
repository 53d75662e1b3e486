"""Keep secrets out of every log line and exception text.

`register_secret(value)` adds a value to mask (an API key, an access token); `register_private_key(pem)` adds a
service account's private key and each of its lines. `KeyMaskingFilter` (installed on the root handlers by
`logging_setup`) replaces registered values and anything shaped like a Google API key, a PEM private key
(also JSON-escaped) or a Google OAuth access token. `mask(text)` is the same masking for strings that go
elsewhere (error dialogs, crash reports).
"""

from __future__ import annotations

import logging
import re
import threading

_GOOGLE_KEY = re.compile(r"AIza[0-9A-Za-z_\-]{35}")
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.S)
_ACCESS_TOKEN = re.compile(r"ya29\.[0-9A-Za-z_\-.]+")
_lock = threading.Lock()
_secrets: set[str] = set()
MASK = "***"


def register_secret(value: str | None) -> None:
    if value and len(value) >= 6:
        with _lock:
            _secrets.add(value)


def register_private_key(pem: str | None) -> None:
    """A PEM private key: the whole text and every line of its body (a fragment must not show either)."""
    if not pem:
        return
    register_secret(pem)
    for line in pem.replace("\\n", "\n").splitlines():
        if len(line) >= 16 and "PRIVATE KEY" not in line:
            register_secret(line)


def mask(text: str) -> str:
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _PRIVATE_KEY.sub(MASK, text)
    text = _ACCESS_TOKEN.sub(MASK, text)
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
