from .decisions import (
    SCREENING_STAGES,
    Decision,
    Resolution,
    ScreeningEvent,
    StageStatus,
    Verdict,
)
from .records import DuplicatePair, FullText, ImportJob, Record, Source, Study

__all__ = [
    "SCREENING_STAGES",
    "Decision",
    "DuplicatePair",
    "FullText",
    "ImportJob",
    "Record",
    "Resolution",
    "ScreeningEvent",
    "Source",
    "StageStatus",
    "Study",
    "Verdict",
]
