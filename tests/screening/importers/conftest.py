"""Helpers for the importer tests: the shared export files and the hand-written samples."""

import os
from pathlib import Path

import pytest

# /work/main/tests/screening/importers/conftest.py -> parents[3] is the repo root; shared/ sits
# beside it.
FORMATS_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "formats"
SAMPLES_DIR = Path(__file__).resolve().parents[2] / "data" / "importers"


def formats_dir() -> Path:
    """The folder of real export files; a failure in CI when it is missing, a skip elsewhere."""
    if not FORMATS_DIR.is_dir():
        message = (
            f"shared export files not found at {FORMATS_DIR} "
            "(the 'shared' folder beside the repository)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return FORMATS_DIR


def format_file(name: str) -> Path:
    path = formats_dir() / name
    if not path.is_file():
        pytest.fail(f"shared export file missing: {path}")
    return path


def sample(name: str) -> bytes:
    return (SAMPLES_DIR / name).read_bytes()
