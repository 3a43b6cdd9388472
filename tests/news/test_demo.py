import pytest
from django.core.management import call_command
from django.urls import reverse

from news.demo import STORIES, load_stories
from news.models import Article, Tag

pytestmark = pytest.mark.django_db

XIAOMI = "xiaomi-lei-jun-top-five-carmaker"


def test_demo_stories_are_published_tagged_and_idempotent():
    assert load_stories() == 4
    first = {a.slug: (a.published_at, a.body_html) for a in Article.objects.all()}
    assert load_stories() == 4
    assert Article.objects.count() == 4
    assert {a.slug: (a.published_at, a.body_html) for a in Article.objects.all()} == first
    assert Article.objects.published().count() == 4
    xiaomi = Article.objects.get(slug=XIAOMI)
    assert {t.name for t in xiaomi.tags.all()} == {"Xiaomi", "Electric vehicles", "AI"}
    assert "<h2>" in xiaomi.body_html and "<li>" in xiaomi.body_html
    assert Tag.objects.filter(name="AI").count() == 1


def test_demo_stories_skip_missing_devices_then_link_them_once_they_exist():
    load_stories()
    assert not Article.objects.get(slug=STORIES[1]["slug"]).devices.exists()
    call_command("load_demo", verbosity=0)
    slugs = {d.slug for d in Article.objects.get(slug=STORIES[1]["slug"]).devices.all()}
    assert slugs == {"mediatek-dimensity-6300", "mediatek-dimensity-6100-plus"}
    nothing = Article.objects.get(slug=STORIES[2]["slug"])
    assert {d.slug for d in nothing.devices.all()} == {
        "nothing-phone-2",
        "qualcomm-snapdragon-8-plus-gen-1",
    }


def test_xiaomi_story_reads_more_of_the_three_others(client):
    call_command("load_demo", verbosity=0)
    response = client.get(reverse("news:article", args=[XIAOMI]))
    assert response.status_code == 200
    related = {a.slug for a in response.context["related"]}
    assert related == {story["slug"] for story in STORIES[1:]}
