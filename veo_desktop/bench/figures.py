"""Figures with targets: one small record per measured number, and the markdown table built from them.

Every bench returns a plain dict (its raw numbers) with a `figures` list; each figure names its value, its
unit, the reference measured in the same run (so a ratio holds on a noisy machine) and its target.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["figure", "markdown_table", "percentile"]

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
}


def figure(
    name: str,
    value: float | int | None,
    unit: str,
    *,
    target: tuple[str, float] | None = None,
    reference: str | None = None,
) -> dict[str, Any]:
    """One figure; `target` is (operator, bound), e.g. ("<=", 1.02). `pass` is None without a target."""
    record: dict[str, Any] = {"name": name, "value": value, "unit": unit}
    if reference is not None:
        record["reference"] = reference
    if target is not None:
        op, bound = target
        record["target"] = f"{op} {bound:g}"
        record["pass"] = value is not None and _OPS[op](float(value), bound)
    else:
        record["pass"] = None
    return record


def percentile(values: Iterable[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty collection."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def _fmt(value: Any, unit: str = "") -> str:
    if isinstance(value, float) and unit == "×":
        return f"{value:.3f}"  # ratios: always three decimals (1.000, not 1)
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 100 else f"{value:,.1f}"
    return "—" if value is None else str(value)


def markdown_table(document: Mapping[str, Any]) -> str:
    """The README table: machine first, then one row per figure of every section."""
    machine = document.get("machine", {})
    lines = [
        "Machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()),
        "",
        "| section | figure | value | reference | target | pass |",
        "|---|---|---|---|---|---|",
    ]
    for section, body in document.items():
        if not isinstance(body, Mapping):
            continue
        if body.get("skipped"):
            lines.append(f"| {section} | skipped | {body['skipped']} | | | |")
        for fig in body.get("figures", []):
            verdict = {True: "pass", False: "**FAIL**", None: ""}[fig.get("pass")]
            value = f"{_fmt(fig['value'], fig['unit'])} {fig['unit']}".strip()
            row = [section, fig["name"], value, fig.get("reference", ""), fig.get("target", ""), verdict]
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"
