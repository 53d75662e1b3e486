"""Job ids: short, time-sortable, file-name safe. Time and randomness are arguments."""

from __future__ import annotations

import random

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


def new_job_id(now_ms: int, rng: random.Random) -> str:
    value = (now_ms << 40) | rng.getrandbits(40)
    chars = []
    for _ in range(18):
        value, rem = divmod(value, 32)
        chars.append(_ALPHABET[rem])
    return "j" + "".join(reversed(chars))
