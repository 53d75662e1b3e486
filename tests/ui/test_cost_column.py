"""The queue's cost column in cents (an Omni estimate is exact to the micro-dollar) with a partial refund as a
signed amount, the words in its tooltip; the day's spending in cents."""

from __future__ import annotations

import dataclasses

import pytest

from tests.ui.helpers import make_views
from veo_desktop.core.jobs import LedgerSummary
from veo_desktop.ui.compose.spending import SpendingLine
from veo_desktop.ui.queue.status_text import cost_text, cost_words
from veo_desktop.ui.support.i18n import cents


@pytest.mark.parametrize(
    ("micros", "expected"),
    [(0, 0), (1_065_745, 1_070_000), (1_064_999, 1_060_000), (400_190, 400_000), (4_999, 4_999), (-400_190, -400_000)],
)
def test_cents(micros: int, expected: int) -> None:
    assert cents(micros) == expected


@pytest.mark.parametrize(
    ("charged", "refunded", "column", "tooltip"),
    [
        (800_000, 0, "$0.80", "$0.80"),
        (800_000, 800_000, "$0.80 · refunded", "$0.80 · refunded"),
        (1_065_745, 400_190, "$1.07 · -$0.40", "$1.07 · refunded $0.40"),
    ],
)
def test_cost_column_and_its_words(charged: int, refunded: int, column: str, tooltip: str) -> None:
    [view] = make_views(1)
    job = dataclasses.replace(view.job, cost_micros=charged, charged_micros=charged, refunded_micros=refunded)
    assert (cost_text(job), cost_words(job)) == (column, tooltip)


def test_spending_in_cents(qtbot) -> None:  # type: ignore[no-untyped-def]
    line = SpendingLine()
    qtbot.addWidget(line)
    line.show_ledger(LedgerSummary(0, 8_218_994, 8_218_994, 25_000_000))
    assert line.text.text() == "Spent today: $8.22 of $25.00"
