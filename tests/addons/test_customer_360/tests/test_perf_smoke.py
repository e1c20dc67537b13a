"""A small-scale run of the benchmark, so that it never rots (the real run: tests/perf/run)."""

import importlib.util
from pathlib import Path

from odoo.tests import TransactionCase, tagged

from odoo.addons.customer_360_demo_data.generator import generate

# The benchmark is a script of the repository (tests/perf/bench.py), not part of any addon.
_BENCH_SPEC = importlib.util.spec_from_file_location(
    "customer_360_bench", Path(__file__).resolve().parents[3] / "perf" / "bench.py"
)
bench = importlib.util.module_from_spec(_BENCH_SPEC)
_BENCH_SPEC.loader.exec_module(bench)


@tagged("post_install", "-at_install")
class TestBenchmarkSmoke(TransactionCase):
    def test_every_operation_runs_and_reports_its_reference(self):
        generate(self.env, scale=20, seed=7, bulk=True)
        self.env["customer.profile"].refresh_profiles()
        rows = bench.run_operations(self.env, core_sample=5, repeat=1)
        names = [row["operation"] for row in rows]
        self.assertEqual(names, [name for name, _limit, _function in bench.OPERATIONS])
        for row in rows:
            self.assertNotIn("error", row, row)
            self.assertGreater(row["peak_rss_mb"], 0)
            if "seconds" in row and row["seconds"] is not None:
                self.assertGreater(row["seconds"], 0, row)
                self.assertGreater(row["floor_seconds"], 0, row)
        table = bench.format_table(rows)
        self.assertIn("full profile refresh", table)
        full = rows[0]
        self.assertGreater(full["core_seconds"], 0)
        self.assertIn("ratio_to_floor", full)
