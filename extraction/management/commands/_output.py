"""Where the export commands write: a file named by -o, or standard output."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from django.core.management.base import CommandError


def open_output(output: str) -> TextIO:
    """Open -o's file for writing, or say in one line why it cannot be."""
    try:
        return Path(output).open("w", newline="", encoding="utf-8")  # the caller closes it
    except OSError as error:
        raise CommandError(f"{output}: cannot be written ({error.strerror}).") from error
