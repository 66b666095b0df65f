"""PRISMA counts as JSON or CSV (the same numbers as the dashboard and the diagram)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from reviewapp.models import Review
from screening.prisma import prisma_counts

from .csvsafe import write_csv


def flatten(counts: dict, prefix: str = "") -> Iterator[tuple[str, int]]:
    for key, value in counts.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            yield from flatten(value, name)
        else:
            yield name, value


def prisma_json(review: Review) -> str:
    return json.dumps(prisma_counts(review), indent=2, ensure_ascii=False)


def write_prisma_csv(handle, review: Review) -> int:
    return write_csv(handle, ["count", "value"], flatten(prisma_counts(review)))
