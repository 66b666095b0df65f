from .records import DuplicatePair, ImportJob, Record, Source

__all__ = ["DuplicatePair", "ImportJob", "Record", "Source"]
