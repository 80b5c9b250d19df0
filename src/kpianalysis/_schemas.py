"""The JSON Schemas shipped in ``kpianalysis/schemas/`` and one way to check data against them."""

from __future__ import annotations

import functools
import importlib.resources
import json
from typing import Any

__all__ = ["first_schema_error", "load_schema_file"]


@functools.cache
def load_schema_file(name: str) -> dict[str, Any]:
    """The schema ``kpianalysis/schemas/<name>`` as a dict (read once)."""
    text = (importlib.resources.files("kpianalysis") / "schemas" / name).read_text(
        encoding="utf-8")
    return json.loads(text)


def first_schema_error(name: str, data: Any) -> tuple[str, str] | None:
    """``(field path, message)`` of the first place ``data`` fails schema ``name``, else None.

    The message is cut to 300 characters (a bad value can be long).
    """
    import jsonschema

    validator = jsonschema.Draft202012Validator(load_schema_file(name))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    field = "/".join(str(p) for p in errors[0].absolute_path) or "(top level)"
    return field, errors[0].message[:300]
