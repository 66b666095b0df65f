"""A whole review as one zip (JSON lines per table plus its files), and back into any instance.

`graph` says which tables hang off a review and in which order they load; `write` builds the
archive; `read` loads it in one transaction. Fields are walked by introspection, so a column
another app adds is carried without a change here; a new *table* fails
tests/extraction/test_archive.py until it is listed in CARRIED or SKIPPED.
"""

FORMAT = "reviewapp-review-archive"
VERSION = 1


class ArchiveError(Exception):
    """An archive that cannot be written or loaded; the message says why, for the command line."""
