"""Sources (one imported search file), their records, and duplicate links between records."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models

from reviewapp.models import Review

from ..querysets import RecordQuerySet


class Source(models.Model):
    """One search (PRISMA-S) as one imported file; several files of one search share a name."""

    class Method(models.TextChoices):
        DATABASE = "database", "Database"
        REGISTER = "register", "Register"
        OTHER = "other", "Other method (website, organisation, citation searching, expert)"

    class OtherKind(models.TextChoices):
        """Where an `other` source's records come from: the PRISMA 2020 template's lines."""

        CITATIONS = "citations", "Citation searching"
        WEBSITE = "website", "Websites"
        ORGANISATION = "organisation", "Organisations"
        OTHER = "other", "Other (hand searching, experts, ...)"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="sources")
    name = models.CharField(
        max_length=200, help_text="e.g. PsycINFO, Web of Science, Google Scholar"
    )
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.DATABASE)
    # Only for method `other` (blank for databases and registers, and read as `other` there).
    other_kind = models.CharField(
        max_length=12, choices=OtherKind.choices, blank=True, verbose_name="other method"
    )
    platform = models.CharField(max_length=200, blank=True, help_text="e.g. Ovid, EBSCOhost")
    searched_on = models.DateField(null=True, blank=True)
    search_string = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_format = models.CharField(max_length=20, blank=True)
    file_encoding = models.CharField(max_length=20, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    record_count = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["imported_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.file_name})" if self.file_name else self.name


class ImportJob(models.Model):
    """An upload waiting for, or going through, the importer; the sources page polls it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="import_jobs")
    source = models.OneToOneField(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="job"
    )
    upload = models.FileField(upload_to="imports/%Y/%m/", max_length=300)
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=20, default="auto")
    source_fields = models.JSONField(default=dict)
    force = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=60, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A failed job imported again ("Import it anyway"): once, whatever the clicks.
    retried_as = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retry_of"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name}: {self.status}"

    # No import runs this long: a job still running after it lost its worker (the broker hands
    # the task out again after its visibility timeout, an hour on Redis; services.jobs).
    STALE_AFTER = timedelta(minutes=30)

    # The phase of a failed job that importing the same file again cannot get past (not a
    # search export, an unreadable record): it gets no "Import it anyway". Other failures (the
    # file was imported before, a lost worker, an unexpected error) can be tried again.
    REFUSED = "Refused"

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    @property
    def can_retry(self) -> bool:
        return (
            self.status == self.Status.FAILED
            and self.phase != self.REFUSED
            and not self.retried_as_id
        )


class Record(models.Model):
    """One bibliographic record as a search returned it; duplicates point at the kept record."""

    # Every index of the table starts with the review, so none of its own (one less to plan
    # and to maintain on each decision).
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="records", db_index=False
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="records")
    source_position = models.PositiveIntegerField(help_text="1-based place in the file.")
    # The number people see, quote and type in ?record= (1, 2, 3 … in import order within the
    # review, never reused); the import service assigns it, so a bulk insert leaves it empty
    # for the moment before that, in the same transaction.
    number = models.PositiveIntegerField(null=True, blank=True, editable=False)
    title = models.TextField(blank=True)
    abstract = models.TextField(blank=True)
    authors = models.JSONField(default=list, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    journal = models.TextField(blank=True)
    volume = models.CharField(max_length=100, blank=True)
    issue = models.CharField(max_length=100, blank=True)
    pages = models.CharField(max_length=100, blank=True)
    doi = models.CharField(max_length=300, blank=True)
    pmid = models.CharField(max_length=30, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    url = models.TextField(blank=True)
    type = models.CharField(max_length=100, blank=True)
    raw = models.JSONField(default=dict, blank=True, help_text="The record as parsed, in full.")
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        db_index=False,  # record_review_dup serves it (ask with the review)
    )
    # Screening order: higher first, then import order. Prioritisation writes it.
    rank = models.FloatField(default=0.0)
    pilot = models.BooleanField(default=False, help_text="In the calibration (pilot) set.")
    # Title/abstract state, kept by the decision service so queues need no scans.
    ta_count = models.PositiveSmallIntegerField(default=0)
    ta_first_decider = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # record_ta_half_decided serves the queue; a user's deletion may scan
    )
    ta_status = models.CharField(max_length=10, blank=True, default="")
    # Full text: retrieval, then the same decision state as title/abstract.
    retrieval = models.CharField(
        max_length=15,
        blank=True,
        default="",
        choices=[
            ("", "Not yet retrieved"),
            ("retrieved", "Retrieved"),
            ("not_retrieved", "Not retrieved"),
        ],
    )
    retrieval_note = models.TextField(blank=True)
    ft_count = models.PositiveSmallIntegerField(default=0)
    ft_first_decider = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # few full-text records; a user's deletion may scan
    )
    ft_status = models.CharField(max_length=10, blank=True, default="")
    ft_reason = models.ForeignKey(
        "reviewapp.ExclusionReason",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # only a reason's deletion asks, and it may scan
        help_text="The full-text exclusion reason that is reported (agreed or the lead's).",
    )
    study = models.ForeignKey(
        "screening.Study",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        help_text="Reports of one study (protocol, results, erratum) share a study.",
    )

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="record_number_in_review"),
        ]
        indexes = [
            models.Index(fields=["review", "doi"], name="record_review_doi"),
            models.Index(fields=["review", "pmid"], name="record_review_pmid"),
            models.Index(fields=["review", "year"], name="record_review_year"),
            models.Index(fields=["review", "duplicate_of"], name="record_review_dup"),
            # The title/abstract queues, best first: untouched records; half-decided records
            # by their first decider; the pilot set. Each serves its query from the index alone.
            models.Index(
                "review",
                models.F("rank").desc(),
                "id",
                name="record_ta_untouched",
                condition=models.Q(duplicate_of__isnull=True, ta_status="", ta_count=0),
            ),
            models.Index(
                "review",
                "ta_first_decider",
                models.F("rank").desc(),
                "id",
                name="record_ta_half_decided",
                condition=models.Q(duplicate_of__isnull=True, ta_status="", ta_count=1),
            ),
            models.Index(
                "review",
                models.F("rank").desc(),
                "id",
                name="record_ta_pilot",
                condition=models.Q(duplicate_of__isnull=True, ta_status="", pilot=True),
            ),
            models.Index(fields=["review", "ta_status"], name="record_ta_status"),
            models.Index(
                fields=["review", "ta_status", "retrieval", "ft_status"], name="record_ft_state"
            ),
        ]

    def __str__(self) -> str:
        return self.title[:80] or f"Record #{self.number}"

    @property
    def first_author(self) -> str:
        return self.authors[0] if self.authors else ""

    @property
    def authors_short(self) -> str:
        if not self.authors:
            return ""
        if len(self.authors) > 3:
            return f"{'; '.join(self.authors[:3])}; et al."
        return "; ".join(self.authors)

    @property
    def raw_record(self) -> dict:
        """The record exactly as the export said it: ``raw`` with the values it shares with the
        columns (abstract, title, authors …) put back; the import stores those only once."""
        from ..importers.compact import expand_raw

        return expand_raw(self.raw, self)


class Study(models.Model):
    """One study, reported by one or more records (reports); extraction works per study."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="studies")
    label = models.CharField(max_length=200, help_text="e.g. Warrington 2013")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["label", "id"]

    def __str__(self) -> str:
        return self.label


class FullText(models.Model):
    """A retrieved full text: an uploaded PDF or a link; unassigned uploads wait for the lead."""

    class Kind(models.TextChoices):
        REPORT = "report", "Main report"
        SUPPLEMENT = "supplement", "Supplement"

    class TextState(models.TextChoices):
        PENDING = "", "Text not yet extracted"
        DONE = "done", "Text extracted"
        NO_TEXT = "no_text", "No text: quotes cannot be checked"
        FAILED = "failed", "The text could not be read"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="fulltexts")
    record = models.ForeignKey(
        Record, null=True, blank=True, on_delete=models.CASCADE, related_name="fulltexts"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.REPORT)
    file = models.FileField(upload_to="fulltexts/%Y/%m/", max_length=300, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # The PDF's text, extracted once after upload (screening.services.texts) into its pages.
    text_state = models.CharField(max_length=8, choices=TextState.choices, blank=True, default="")
    page_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["kind", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name or self.url


class DuplicatePair(models.Model):
    """A candidate pair from dedup: marked automatically, waiting for the lead, or decided."""

    class Status(models.TextChoices):
        AUTO = "auto", "Marked automatically"
        PENDING = "pending", "Waiting for the lead"
        CONFIRMED = "confirmed", "Confirmed by the lead"
        REJECTED = "rejected", "Not duplicates"
        UNMARKED = "unmarked", "Unmarked"

    ACTIVE = (Status.AUTO, Status.CONFIRMED)

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="duplicate_pairs")
    keep = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    duplicate = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    method = models.CharField(max_length=10)
    matched = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices)
    filled = models.JSONField(
        default=dict, blank=True, help_text="Fields copied into the kept record: {field: before}."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["keep", "duplicate"], name="one_pair_per_records"),
        ]
        indexes = [models.Index(fields=["review", "status"], name="pair_review_status")]

    def __str__(self) -> str:
        return f"{self.duplicate_id} ≈ {self.keep_id} ({self.score:.0f}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE
