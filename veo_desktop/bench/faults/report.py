"""A campaign's result: a table of figures (one row per scenario or cell) and the violations found."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Table:
    title: str
    columns: Sequence[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)

    def add(self, **row: Any) -> None:
        self.rows.append(row)

    @property
    def ok(self) -> bool:
        return not self.violations

    def render(self) -> str:
        """A plain-text table, then the totals and every violation (at most 50 shown)."""
        cells = [[str(row.get(c, "")) for c in self.columns] for row in self.rows]
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(self.columns)]
        lines = [self.title, "  ".join(c.ljust(w) for c, w in zip(self.columns, widths, strict=True))]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
        if self.totals:
            lines.append("totals: " + ", ".join(f"{k}={v}" for k, v in self.totals.items()))
        lines.append(f"violations: {len(self.violations)}")
        lines += [f"  ! {v}" for v in self.violations[:50]]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        data = {"title": self.title, "rows": self.rows, "totals": self.totals, "violations": self.violations}
        plain: dict[str, Any] = json.loads(json.dumps(data, default=str))  # plain JSON values only
        return plain
