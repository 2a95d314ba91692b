"""Monthly usage report: totals per account and metric, rendered as text or CSV."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class UsageLine:
    account_id: str
    metric: str
    quantity: float


def aggregate(lines: list[UsageLine]) -> dict[str, dict[str, float]]:
    """Total quantity per account and metric."""
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for line in lines:
        totals[line.account_id][line.metric] += line.quantity
    return {account: dict(metrics) for account, metrics in totals.items()}


def render_text(totals: dict[str, dict[str, float]], month: date) -> str:
    """A plain-text report, accounts and metrics in name order."""
    out = [f"Usage report for {month:%B %Y}", ""]
    for account in sorted(totals):
        out.append(account)
        for metric, quantity in sorted(totals[account].items()):
            out.append(f"  {metric:<24} {quantity:>12,.2f}")
    return "\n".join(out) + "\n"


def render_csv(totals: dict[str, dict[str, float]]) -> str:
    """The same totals as CSV, with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["account_id", "metric", "quantity"])
    for account in sorted(totals):
        for metric, quantity in sorted(totals[account].items()):
            writer.writerow([account, metric, f"{quantity:.2f}"])
    return buffer.getvalue()


def render_pdf(totals: dict[str, dict[str, float]], month: date) -> bytes:
    """The report as a PDF for the finance team."""
    # TODO: pick a PDF library that renders without system fonts
    raise NotImplementedError
