"""Tests of the monthly report; the CSV buffer is observed through unittest.mock."""

import io
import unittest
from datetime import date
from unittest import mock

from src.report import UsageLine, aggregate, render_csv, render_text


class ReportTest(unittest.TestCase):
    def setUp(self) -> None:
        self.fake_lines = [
            UsageLine("acct-1", "api_calls", 120),
            UsageLine("acct-1", "api_calls", 30),
            UsageLine("acct-2", "storage_gb", 4.5),
        ]

    def test_aggregate_sums_per_account_and_metric(self) -> None:
        self.assertEqual(aggregate(self.fake_lines), {"acct-1": {"api_calls": 150}, "acct-2": {"storage_gb": 4.5}})

    def test_csv_has_a_header_and_two_decimals(self) -> None:
        rows = render_csv(aggregate(self.fake_lines)).splitlines()
        self.assertEqual(rows[0], "account_id,metric,quantity")
        self.assertIn("acct-1,api_calls,150.00", rows)

    def test_csv_writes_through_one_buffer(self) -> None:
        with mock.patch("src.report.io.StringIO", wraps=io.StringIO) as buffer:
            render_csv(aggregate(self.fake_lines))
        buffer.assert_called_once_with()

    def test_text_report_names_the_month(self) -> None:
        text = render_text(aggregate(self.fake_lines), date(2024, 5, 1))
        self.assertTrue(text.startswith("Usage report for May 2024"))


if __name__ == "__main__":
    unittest.main()
