from .decisions import (
    SCREENING_STAGES,
    Decision,
    Resolution,
    ScreeningEvent,
    StageStatus,
    Verdict,
)
from .records import DuplicatePair, ImportJob, Record, Source

__all__ = [
    "SCREENING_STAGES",
    "Decision",
    "DuplicatePair",
    "ImportJob",
    "Record",
    "Resolution",
    "ScreeningEvent",
    "Source",
    "StageStatus",
    "Verdict",
]
