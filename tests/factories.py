"""factory_boy factories: the smallest valid objects, with overrides where a test cares."""

import factory
from django.contrib.auth import get_user_model

from reviewapp.models import CriteriaVersion, ExclusionReason, Membership, Review, ReviewQuestion

PASSWORD = "test-pass-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"review-{n}")
    title = factory.Sequence(lambda n: f"Review number {n}")

    @factory.post_generation
    def criteria_version(self, create, extracted, **kwargs):
        if create:
            CriteriaVersion.objects.create(review=self, number=1)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    review = factory.SubFactory(ReviewFactory)
    user = factory.SubFactory(UserFactory)
    role = "reviewer"


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewQuestion

    review = factory.SubFactory(ReviewFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Faker("sentence")


class ReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExclusionReason

    review = factory.SubFactory(ReviewFactory)
    code = factory.Sequence(lambda n: f"EX-{n}")
    label = factory.Faker("sentence", nb_words=3)
    number = factory.Sequence(lambda n: n + 1)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "screening.Source"

    review = factory.SubFactory(ReviewFactory)
    name = "PsycINFO"
    method = "database"
    file_name = factory.Sequence(lambda n: f"search-{n}.ris")


def _next_record_number(review) -> int:
    # As the import service numbers records: the review's next number.
    from django.db.models import Max

    from screening.models import Record

    last = Record.objects.filter(review=review).aggregate(last=Max("number"))["last"]
    return (last or 0) + 1


class RecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "screening.Record"
        skip_postgeneration_save = True

    source = factory.SubFactory(SourceFactory)
    review = factory.SelfAttribute("source.review")
    source_position = factory.Sequence(lambda n: n + 1)
    number = factory.LazyAttribute(lambda o: _next_record_number(o.review))
    title = factory.Sequence(lambda n: f"Study {n} of participation in services for young people")
    abstract = factory.Faker("paragraph")
    authors = factory.LazyFunction(lambda: ["Smith, J.", "Jones, K."])
    year = 2015
    journal = "Child Abuse Review"

    @factory.post_generation
    def counted_in_source(self, create, extracted, **kwargs):
        # An import keeps Source.record_count equal to the source's records; so do factories.
        if create:
            from django.db.models import F

            from screening.models import Source

            Source.objects.filter(pk=self.source_id).update(record_count=F("record_count") + 1)


class DuplicatePairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "screening.DuplicatePair"

    keep = factory.SubFactory(RecordFactory)
    duplicate = factory.SubFactory(RecordFactory, source=factory.SelfAttribute("..keep.source"))
    review = factory.SelfAttribute("keep.review")
    score = 88.0
    method = "fuzzy"
    matched = factory.LazyFunction(lambda: ["title", "year"])
    status = "pending"


# Extraction: charting forms and charts.
from extraction.models import Chart, ChartForm, ChartValue, FormField, FormSection  # noqa: E402
from screening.models import Study  # noqa: E402


class StudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Study

    review = factory.SubFactory(ReviewFactory)
    label = factory.Sequence(lambda n: f"Author {2000 + n}")


class ChartFormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChartForm

    review = factory.SubFactory(ReviewFactory)
    version = 1


class FormSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormSection

    form = factory.SubFactory(ChartFormFactory)
    key = factory.Sequence(lambda n: f"section_{n}")
    title = factory.Sequence(lambda n: f"Section {n}")
    order = factory.Sequence(lambda n: n)


class FormFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormField

    section = factory.SubFactory(FormSectionFactory)
    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.Sequence(lambda n: f"Field {n}")
    type = "short_text"
    order = factory.Sequence(lambda n: n)


class ChartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chart

    form = factory.SubFactory(ChartFormFactory)
    study = factory.SubFactory(StudyFactory, review=factory.SelfAttribute("..form.review"))
    charted_by = factory.SubFactory(UserFactory)
    kind = "reviewer"


class ChartValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChartValue

    chart = factory.SubFactory(ChartFactory)
    field = factory.SubFactory(FormFieldFactory)
    value = "a value"
    draft = "a value"
