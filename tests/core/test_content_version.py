"""The content version moves when content changes commit, and only then."""

import pytest
from django.apps import apps
from django.db import transaction

from catalog.models import SpecValue
from comparisons.models import CompareList
from core.content import ContentModel, content_changed, content_version
from core.django_private import on_commit_queue
from news.models import Article
from tests import factories
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


CONTENT_MODELS = sorted(
    (model for model in apps.get_models() if issubclass(model, ContentModel)),
    key=lambda model: model._meta.label,
)


def make_row(model):
    """A saved row of ``model`` from its factory (a content model needs one to be tested)."""
    return getattr(factories, f"{model.__name__}Factory")()


def test_every_content_model_is_found():
    names = {model.__name__ for model in CONTENT_MODELS}
    assert {"Brand", "Category", "Device", "SpecField", "SpecValue", "Article", "Tag"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda model: model._meta.label)
def test_saving_a_row_of_any_content_model_moves_the_version_when_it_commits(model, committed):
    row = make_row(model)
    before = content_version()
    with committed():
        row.save()
        assert content_version() == before
    assert content_version() != before


@pytest.mark.django_db
@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda model: model._meta.label)
def test_deleting_a_row_of_any_content_model_moves_the_version_when_it_commits(model, committed):
    row = make_row(model)
    before = content_version()
    with committed():
        row.delete()
        assert content_version() == before
    assert content_version() != before


@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_changes_many_rows_moves_the_version_once():
    device = DeviceFactory()
    values = [SpecValueFactory(device=device, field__name=f"Once {n}") for n in range(3)]
    before = content_version()
    with transaction.atomic():
        device.save()
        for value in values:
            value.save()
        content_changed()
        # One bump waits for the commit, not five.
        assert len(on_commit_queue()) == 1
    assert content_version() == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_change_kept_after_a_rolled_back_savepoint_still_moves_the_version():
    device = DeviceFactory()
    before = content_version()
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            device.save()
            raise RuntimeError("the inner part failed")
        device.name = "Saved after all"
        device.save()
    assert content_version() == before + 1
