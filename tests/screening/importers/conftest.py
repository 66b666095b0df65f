"""Helpers for the importer tests: the shared export files and the hand-written samples."""

from pathlib import Path

import pytest

from tests.conftest import shared_data

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "data" / "importers"


def formats_dir() -> Path:
    """The folder of real export files; a failure in CI when it is missing, a skip elsewhere."""
    return shared_data("formats")


def format_file(name: str) -> Path:
    path = formats_dir() / name
    if not path.is_file():
        pytest.fail(f"shared export file missing: {path}")
    return path


def sample(name: str) -> bytes:
    return (SAMPLES_DIR / name).read_bytes()
