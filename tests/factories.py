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
