"""Regenerate the bundled sample data: ``python -m kpianalysis.sample_data --out data/raw``.

``--all-units`` also writes a synthetic copy of ten KPIs for every BMA unit (the 50 district
offices and the departments) and the catalog listing them (:mod:`.all_units`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .awareness import write_awareness
from .district_covariates import write_district_covariates
from .district_targets import write_district_targets
from .issue_log import write_efficiency_inputs
from .rubric_inputs import write_rubric_inputs
from .satisfaction import write_satisfaction


def main(argv: list[str] | None = None) -> int:
    """Write every sample file under ``--out``; print the paths written."""
    parser = argparse.ArgumentParser(prog="python -m kpianalysis.sample_data")
    parser.add_argument("--out", type=Path, default=Path("data/raw"))
    parser.add_argument("--all-units", action="store_true",
                        help="also write every BMA unit's KPIs (about 700 reports, synthetic) "
                             "and OUT/catalog.yaml listing them")
    args = parser.parse_args(argv)
    paths = [
        *write_satisfaction(args.out),
        *write_awareness(args.out / "awareness"),
        *write_district_covariates(args.out / "awareness"),  # synthetic, for the SAE example
        *write_rubric_inputs(args.out),  # writes into out/rubric/ itself
        *write_district_targets(args.out),
        *write_efficiency_inputs(args.out),  # seed 001 (efficiency-pr)
    ]
    if args.all_units:
        from .all_units import write_all_units

        units = write_all_units(args.out)
        print(f"{len(paths) + len(units)} files under {args.out}, synthetic data of every unit; "
              f"build with: kpianalysis-build --data-root {args.out} "
              f"--catalog {args.out / 'catalog.yaml'}")
        return 0
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
