"""Records for the open-data demo review, with the data set's labels stripped."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser

from reviewapp.models import Review
from screening.services.imports import SourceFields, import_records

DEMO_FILE = Path(__file__).resolve().parent / "demo_data" / "kitchenham2010.csv"
HIDDEN_COLUMNS = {"label_included", "label_abstract_screening"}


def unlabelled_csv(path: Path = DEMO_FILE) -> bytes:
    """The demo CSV without its inclusion labels, so no reviewer can see them."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = [c for c in reader.fieldnames or [] if c not in HIDDEN_COLUMNS]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(reader)
    return out.getvalue().encode("utf-8")


def import_demo_records(*, review: Review, by: AbstractBaseUser | None) -> None:
    """Import the demo records once; a review that has sources already is left alone."""
    if review.sources.exists():
        return
    import_records(
        review=review,
        data=unlabelled_csv(),
        file_name=DEMO_FILE.name,
        source_fields=SourceFields(
            name="Kitchenham 2010 search results",
            platform="ASReview systematic-review data sets (CC-BY 4.0)",
            notes="Kitchenham et al. (2010) tertiary study; labels removed on import.",
        ),
        by=by,
    )
