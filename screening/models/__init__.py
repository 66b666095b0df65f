from .decisions import (
    SCREENING_STAGES,
    Decision,
    Resolution,
    ScreeningEvent,
    StageStatus,
    Verdict,
)
from .prioritise import ExclusionRule, RankingRun
from .records import DuplicatePair, FullText, ImportJob, Record, Source, Study
from .texts import FullTextPage

__all__ = [
    "SCREENING_STAGES",
    "Decision",
    "DuplicatePair",
    "ExclusionRule",
    "FullText",
    "FullTextPage",
    "ImportJob",
    "RankingRun",
    "Record",
    "Resolution",
    "ScreeningEvent",
    "Source",
    "StageStatus",
    "Study",
    "Verdict",
]
