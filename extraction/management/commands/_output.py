"""Where the export commands write: a file named by -o, or standard output."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, TextIO

from django.core.management.base import CommandError


def open_output(output: str, *, binary: bool = False) -> TextIO | BinaryIO:
    """Open -o's file for writing (bytes for XLSX), or say in one line why it cannot be."""
    try:
        if binary:
            return Path(output).open("wb")  # the caller closes it
        return Path(output).open("w", newline="", encoding="utf-8")
    except OSError as error:
        raise CommandError(f"{output}: cannot be written ({error.strerror}).") from error
