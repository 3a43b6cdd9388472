import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from catalog.models import Device
from news.models import Article
from tests.factories import ArticleFactory, AuthorFactory, DeviceFactory, TagFactory
from tests.plans import plan_of_sql

pytestmark = pytest.mark.django_db


def jpeg(width, height):
    buffer = BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, "JPEG")
    return SimpleUploadedFile("hero.jpg", buffer.getvalue(), content_type="image/jpeg")


def hours_ago(hours):
    return timezone.now() - timedelta(hours=hours)


def test_hero_renditions_are_made_on_save_and_only_when_the_hero_changes():
    article = ArticleFactory(hero_image=jpeg(2000, 1000))
    with Image.open(article.hero_card.path) as card, Image.open(article.hero_page.path) as page:
        assert card.size == (640, 320)
        assert page.size == (1280, 640)
        assert card.format == "WEBP"
    card_name = article.hero_card.name

    article = Article.objects.get(pk=article.pk)
    article.title = "New title"
    article.save()
    assert Article.objects.get(pk=article.pk).hero_card.name == card_name

    article.hero_image = jpeg(800, 600)
    article.save()
    article = Article.objects.get(pk=article.pk)
    assert article.hero_card.name != card_name
    with Image.open(article.hero_page.path) as page:
        assert page.size == (800, 600)  # never upscaled


def test_removing_the_hero_clears_the_renditions():
    article = ArticleFactory(hero_image=jpeg(900, 600))
    article = Article.objects.get(pk=article.pk)
    article.hero_image = ""
    article.save()
    article.refresh_from_db()
    assert not article.hero_card and not article.hero_page


def test_state_tells_draft_scheduled_and_live_apart():
    assert ArticleFactory.build(status="draft").state == "Draft"
    assert ArticleFactory.build(published_at=None).state == "Draft"
    assert ArticleFactory.build(published_at=timezone.now() + timedelta(hours=1)).state == (
        "Scheduled"
    )
    assert ArticleFactory.build().state == "Live"


def test_related_ranks_shared_devices_then_shared_tags_then_recency(django_assert_num_queries):
    phone, chip = DeviceFactory(), DeviceFactory()
    ai, cars = TagFactory(name="AI"), TagFactory(name="Cars")
    story = ArticleFactory(devices=[phone, chip], tags=[ai, cars], published_at=hours_ago(1))
    newest_unrelated = ArticleFactory(published_at=hours_ago(2))
    one_tag = ArticleFactory(tags=[ai], published_at=hours_ago(3))
    two_tags = ArticleFactory(tags=[ai, cars], published_at=hours_ago(9))
    one_device = ArticleFactory(devices=[chip], published_at=hours_ago(10))
    two_devices = ArticleFactory(devices=[phone, chip], published_at=hours_ago(20))
    ArticleFactory(devices=[phone, chip], tags=[ai], status="draft")
    ArticleFactory(devices=[phone, chip], published_at=timezone.now() + timedelta(hours=1))

    story = Article.objects.prefetch_related("devices", "tags").get(pk=story.pk)
    # Two share a device (not enough), four share something, the newest fills the fifth.
    with django_assert_num_queries(3):
        assert Article.objects.related_to(story, limit=5) == [
            two_devices,
            one_device,
            two_tags,
            one_tag,
            newest_unrelated,
        ]
    with django_assert_num_queries(2):
        assert Article.objects.related_to(story) == [two_devices, one_device, two_tags]
    # The stories sharing a device fill the list: the tags' stories are not walked.
    with django_assert_num_queries(1):
        assert Article.objects.related_to(story, limit=2) == [two_devices, one_device]


def test_related_fills_with_the_newest_stories_and_never_returns_the_story_itself():
    story = ArticleFactory(published_at=hours_ago(5))
    newer = [ArticleFactory(published_at=hours_ago(h)) for h in (1, 2, 3, 4)]
    ArticleFactory(status="draft")
    related = Article.objects.related_to(story)
    assert related == newer[:3]
    assert story not in related


def test_newest_about_a_device_lists_only_its_published_stories():
    device = DeviceFactory()
    live = ArticleFactory(devices=[device])
    ArticleFactory(devices=[device], status="draft")
    ArticleFactory(devices=[device], published_at=timezone.now() + timedelta(days=1))
    ArticleFactory()
    assert Article.objects.newest_about([device], 5) == [live]


def test_newest_about_gives_the_newest_distinct_published_stories():
    a, b, other = DeviceFactory(), DeviceFactory(), DeviceFactory()
    now = timezone.now()
    # Each names both devices: ten link rows for five stories, all within the limit.
    both = [
        ArticleFactory(devices=[a, b], published_at=now - timedelta(days=days))
        for days in range(1, 6)
    ]
    ArticleFactory(devices=[a], published_at=now - timedelta(days=9))
    ArticleFactory(devices=[a], status=Article.Status.DRAFT)
    ArticleFactory(devices=[b], published_at=now + timedelta(days=1))
    ArticleFactory(devices=[other])
    assert Article.objects.newest_about([a, b], 5) == both
    assert Article.objects.newest_about([a.pk], 2) == both[:2]
    assert Article.objects.newest_about([], 5) == []


def test_newest_about_starts_from_the_devices_links(db):
    from django.db import connection

    a, b = DeviceFactory(), DeviceFactory()
    others = Device.objects.bulk_create(
        Device(name=f"D {i}", slug=f"d-{i}", brand=a.brand, category=a.category)
        for i in range(1000)
    )
    author = AuthorFactory()
    stories = Article.objects.bulk_create(
        Article(
            title=f"Story {i}",
            slug=f"story-{i}",
            author=author,
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() - timedelta(hours=i),
            summary="s",
            body="b",
        )
        for i in range(2000)
    )
    links = Article.devices.through
    links.objects.bulk_create(
        links(article=story, device=others[i % 1000]) for i, story in enumerate(stories)
    )
    with connection.cursor() as cursor:
        # An archive as the planner sees one in production: few stories per device.
        cursor.execute("ANALYZE")
    from news.models import _newest_about_sql

    plan = plan_of_sql(*_newest_about_sql(connection, [a.pk, b.pk], 5))
    if connection.vendor == "sqlite":
        assert "SEARCH l USING INDEX news_article_devices_device_id" in plan, plan
        assert not re.search(r"\bSCAN (a|p)\b", plan), plan
    else:
        assert "news_article_devices_device_id" in plan, plan
        assert "Seq Scan on news_article " not in plan, plan
