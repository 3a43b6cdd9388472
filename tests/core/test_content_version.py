"""The content version moves when content changes commit, and only then."""

import pytest
from django.db import transaction

from catalog.models import SpecValue
from comparisons.models import CompareList
from core.content import content_changed, content_version
from news.models import Article
from tests.factories import ArticleFactory, DeviceFactory, SpecValueFactory


@pytest.mark.django_db(transaction=True)
def test_the_version_moves_when_the_change_commits_not_before():
    device = DeviceFactory()
    before = content_version()
    with transaction.atomic():
        device.name = "Changed inside a transaction"
        device.save()
        # A request now would still read the old content: it must not get a new version.
        assert content_version() == before
    assert content_version() != before


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_the_version_alone():
    device = DeviceFactory()
    before = content_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        device.delete()
        raise RuntimeError("editor cancelled")
    assert content_version() == before


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "change",
    [
        lambda: ArticleFactory(),
        lambda: Article.objects.update(title="Bulk retitled"),
        lambda: SpecValue.objects.all().delete(),
        lambda: content_changed(),
    ],
    ids=["save", "queryset-update", "queryset-delete", "explicit"],
)
def test_content_changes_move_the_version(change):
    SpecValueFactory()
    ArticleFactory()
    before = content_version()
    change()
    assert content_version() != before


@pytest.mark.django_db(transaction=True)
def test_visitor_state_is_not_content():
    before = content_version()
    CompareList.objects.create(token="a-visitor")
    CompareList.objects.all().delete()
    assert content_version() == before


@pytest.mark.django_db
def test_deleting_spec_values_in_bulk_stays_a_fast_delete(django_assert_num_queries):
    # No catch-all signals: Django deletes without loading the rows first.
    device = DeviceFactory()
    for n in range(5):
        SpecValueFactory(device=device, field__name=f"Fast {n}")
    with django_assert_num_queries(1):
        SpecValue.objects.filter(device=device).delete()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("store", ["database", "cache"])
def test_the_next_scheduled_story_comes_with_the_version(settings, store):
    """Cached pages end when it goes live: read as an aware time, never a draft's."""
    from django.utils import timezone

    from core.content import next_due

    settings.CONTENT_VERSION_STORE = store
    now = timezone.now()
    assert next_due() is None
    soon = now + timezone.timedelta(hours=2)
    ArticleFactory(published_at=soon)
    ArticleFactory(published_at=now + timezone.timedelta(days=3))
    ArticleFactory(published_at=now + timezone.timedelta(hours=1), status=Article.Status.DRAFT)
    ArticleFactory(published_at=now - timezone.timedelta(days=1))
    assert next_due() == soon
    assert timezone.is_aware(next_due())
