"""Regenerate the bundled sample data: ``python -m kpianalysis.sample_data --out data/raw``."""

from __future__ import annotations

import argparse
from pathlib import Path

from .awareness import write_awareness
from .rubric_inputs import write_rubric_inputs
from .satisfaction import write_satisfaction


def main(argv: list[str] | None = None) -> int:
    """Write every sample file under ``--out``; print the paths written."""
    parser = argparse.ArgumentParser(prog="python -m kpianalysis.sample_data")
    parser.add_argument("--out", type=Path, default=Path("data/raw"))
    args = parser.parse_args(argv)
    paths = [
        *write_satisfaction(args.out),
        *write_awareness(args.out / "awareness"),
        *write_rubric_inputs(args.out / "rubric"),
    ]
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
