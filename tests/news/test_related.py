"""Related stories ("Read more"): the ranking rules, from a bounded set of candidates."""

from datetime import timedelta
from itertools import count as counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from news import models
from news.models import Article
from tests.factories import ArticleFactory, AuthorFactory, DeviceFactory, TagFactory

pytestmark = pytest.mark.django_db

_batches = counter()


def hours_ago(hours):
    return timezone.now() - timedelta(hours=hours)


def bulk_stories(count, start_hours_ago, tags=(), devices=(), **fields):
    """``count`` published stories, one an hour back from ``start_hours_ago``, newest first.

    Made in bulk (no Markdown rendering, three queries) so archives of hundreds stay fast.
    """
    batch = next(_batches)
    author = AuthorFactory(name="Bulk Writer")
    stories = Article.objects.bulk_create(
        Article(
            title=f"Bulk story {batch}-{i}",
            slug=f"bulk-story-{batch}-{i}",
            summary="A story made in bulk.",
            body="Body.",
            author=author,
            status=Article.Status.PUBLISHED,
            published_at=hours_ago(start_hours_ago + i),
            **fields,
        )
        for i in range(count)
    )
    Article.tags.through.objects.bulk_create(
        Article.tags.through(article_id=story.pk, tag_id=tag.pk)
        for story in stories
        for tag in tags
    )
    Article.devices.through.objects.bulk_create(
        Article.devices.through(article_id=story.pk, device_id=device.pk)
        for story in stories
        for device in devices
    )
    return stories


def related(story, **kwargs):
    story = Article.objects.prefetch_related("devices", "tags").get(pk=story.pk)
    return Article.objects.related_to(story, **kwargs)


@pytest.fixture(params=["through links", "walking the newest"])
def either_way(request, monkeypatch):
    """Run a test with devices and tags found through their links, and by walking the newest
    stories (on SQLite the second is how a key on RELATED_CROWDED stories or more is read)."""
    if request.param == "walking the newest":
        monkeypatch.setattr(models, "RELATED_CROWDED", 1)
    return request.param


def test_shared_devices_rank_before_shared_tags_before_recency(either_way):
    phone, chip = DeviceFactory(), DeviceFactory()
    ai, cars = TagFactory(name="AI"), TagFactory(name="Cars")
    story = ArticleFactory(devices=[phone, chip], tags=[ai, cars], published_at=hours_ago(30))
    newest_unrelated = ArticleFactory(published_at=hours_ago(1))
    one_tag = ArticleFactory(tags=[ai], published_at=hours_ago(2))
    two_tags = ArticleFactory(tags=[ai, cars], published_at=hours_ago(3))
    one_device_newer = ArticleFactory(devices=[chip], tags=[ai], published_at=hours_ago(4))
    one_device_two_tags = ArticleFactory(
        devices=[phone], tags=[ai, cars], published_at=hours_ago(40)
    )
    two_devices = ArticleFactory(devices=[phone, chip], published_at=hours_ago(50))

    assert related(story, limit=6) == [
        two_devices,
        one_device_two_tags,
        one_device_newer,
        two_tags,
        one_tag,
        newest_unrelated,
    ]


def test_drafts_and_scheduled_stories_are_never_related(either_way):
    phone, ai = DeviceFactory(), TagFactory(name="AI")
    story = ArticleFactory(devices=[phone], tags=[ai], published_at=hours_ago(10))
    ArticleFactory(devices=[phone], tags=[ai], status="draft", published_at=None)
    ArticleFactory(devices=[phone], tags=[ai], status="draft", published_at=hours_ago(1))
    scheduled = ArticleFactory(devices=[phone], tags=[ai], published_at=hours_ago(-1))
    live = ArticleFactory(tags=[ai], published_at=hours_ago(20))

    assert related(story) == [live]

    # Due: the clock passed its time (moved here instead of the clock).
    Article.objects.filter(pk=scheduled.pk).update(published_at=hours_ago(0.01))
    assert related(story) == [scheduled, live]


def test_a_newer_story_shows_at_once_even_in_a_crowded_tag(either_way):
    ai = TagFactory(name="AI")
    story = ArticleFactory(tags=[ai], published_at=hours_ago(1000))
    older = bulk_stories(300, start_hours_ago=10, tags=[ai])
    assert related(story) == older[:3]

    newer = ArticleFactory(tags=[ai], published_at=hours_ago(1))
    assert related(story) == [newer, *older[:2]]


def test_the_newest_stories_fill_in_and_the_story_itself_never_shows():
    story = ArticleFactory(tags=[TagFactory()], published_at=hours_ago(5))
    newer = [ArticleFactory(published_at=hours_ago(h)) for h in (1, 2, 3, 4)]
    ArticleFactory(status="draft")

    result = related(story)

    assert result == newer[:3]
    assert story not in result


def test_only_the_newest_stories_of_each_device_and_tag_are_candidates(either_way):
    """A story that would rank first, but is older than the RELATED_PER_KEY newest stories of
    each device and tag it shares, is not considered; within one of those lists, everything
    it shares counts."""
    ai, cars = TagFactory(name="AI"), TagFactory(name="Cars")
    story = ArticleFactory(tags=[ai, cars], published_at=hours_ago(1))
    bound = models.RELATED_PER_KEY
    ai_only = bulk_stories(bound, start_hours_ago=10, tags=[ai])
    bulk_stories(bound, start_hours_ago=10 + bound, tags=[cars])
    # Shares both tags, so it would rank first; but it is older than the bound of each.
    both_old = ArticleFactory(tags=[ai, cars], published_at=hours_ago(10 + 3 * bound))

    assert related(story) == ai_only[:3]

    # One story fewer on "AI": it is within that tag's newest, and both its tags count.
    Article.objects.filter(pk=ai_only[-1].pk).delete()
    assert related(story) == [both_old, *ai_only[:2]]


@pytest.mark.parametrize("crowded", [False, True], ids=["through links", "walking the newest"])
def test_related_runs_the_same_queries_whatever_the_archive_size(crowded, monkeypatch):
    if crowded:  # 50 and 500 stories are both "many"
        monkeypatch.setattr(models, "RELATED_CROWDED", 40)
    counts = []
    for size in (50, 500):
        tag, device = TagFactory(), DeviceFactory()
        story = ArticleFactory(tags=[tag], devices=[device], published_at=hours_ago(1))
        bulk_stories(size, start_hours_ago=2, tags=[tag], devices=[device])
        story = Article.objects.prefetch_related("devices", "tags").get(pk=story.pk)
        with CaptureQueriesContext(connection) as queries:
            assert len(Article.objects.related_to(story)) == 3
        counts.append(len(queries))
    assert counts == [1, 1]


def test_a_story_naming_hundreds_of_devices_still_gets_related_stories():
    devices = DeviceFactory.create_batch(3)
    many = [DeviceFactory.build(name=f"Roundup device {i}") for i in range(260)]
    for device in many:
        device.brand, device.category = devices[0].brand, devices[0].category
    many = list(type(devices[0]).objects.bulk_create(many))
    story = ArticleFactory(devices=many + devices, published_at=hours_ago(1))
    sharing = ArticleFactory(devices=[devices[2]], published_at=hours_ago(2))

    assert related(story, limit=1) == [sharing]
