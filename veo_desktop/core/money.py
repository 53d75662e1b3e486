"""Money in integer micro-dollars: exact sums in the ledger, formatting at the edges."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MICROS_PER_USD = 1_000_000


def usd_to_micros(usd: float | str | Decimal) -> int:
    value = Decimal(str(usd)) * MICROS_PER_USD
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def micros_to_usd(micros: int) -> Decimal:
    return Decimal(micros) / MICROS_PER_USD


def format_usd(micros: int) -> str:
    """`$3.20`, `-$0.40`; cents unless the amount needs more precision."""
    sign = "-" if micros < 0 else ""
    amount = micros_to_usd(abs(micros))
    if amount == amount.quantize(Decimal("0.01")):
        return f"{sign}${amount:.2f}"
    return f"{sign}${amount.normalize()}"
