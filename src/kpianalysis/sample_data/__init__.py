"""Seeded generators of the synthetic sample data in ``data/raw/``."""
