"""Share cards (og:image): 1200 × 630 PNGs drawn on first request, stored, redrawn only
when what they show changes, and bounded."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw

from catalog.models import Device
from comparisons import views
from core import cards
from core.models import ShareCard
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    DeviceFactory,
    DevicePhotoFactory,
    SpecFieldFactory,
    SpecValueFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(monkeypatch):
    """How many cards were drawn (each call of the drawing functions)."""
    calls = []
    for name in ("draw_panels", "draw_story"):
        real = getattr(cards, name)

        def counting(*args, _real=real, **kwargs):
            calls.append(args)
            return _real(*args, **kwargs)

        monkeypatch.setattr(cards, name, counting)
    return calls


@pytest.fixture
def pair(db):
    phones = CategoryFactory(name="Phones")
    ram = SpecFieldFactory(name="RAM", unit="GB", kind="number", key=True)
    size = SpecFieldFactory(name="Dimensions", role="dimensions")
    first = DeviceFactory(name="Nothing Phone (2)", slug="nothing-phone-2", category=phones)
    second = DeviceFactory(name="Pixel 8", slug="pixel-8", category=phones)
    SpecValueFactory(device=first, field=ram, value="12 GB")
    SpecValueFactory(device=first, field=size, value="162.1 x 76.4 x 8.6 mm")
    SpecValueFactory(device=second, field=ram, value="8 GB")
    return first, second


def card_url(*slugs):
    return reverse("comparisons:compare-card", args=["-vs-".join(slugs)])


def device_card_url(device):
    return reverse("comparisons:device-card", args=[device.slug])


def png_of(response):
    with Image.open(io.BytesIO(response.content)) as image:
        return image.format, image.size, image.convert("RGB")


def stored_cards(kind="compare"):
    folder = Path(settings.MEDIA_ROOT) / "cards" / kind
    return sorted(path.name for path in folder.glob("*.png")) if folder.exists() else []


def test_a_comparison_card_is_a_1200_by_630_png_made_once_and_then_served(
    client, pair, drawn, django_assert_num_queries, version_queries
):
    url = card_url("nothing-phone-2", "pixel-8")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=86400"
    assert png_of(response)[:2] == ("PNG", (1200, 630))
    assert len(drawn) == 1 and len(stored_cards()) == 1
    # What the card shows, to know its stored name: the devices, then their key specs.
    with django_assert_num_queries(2 + version_queries):
        again = client.get(url)
    assert again.content == response.content
    assert len(drawn) == 1  # served as stored: no image work
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""


def test_the_card_shows_the_devices_key_rows_and_photo(pair, monkeypatch):
    first, second = pair
    DevicePhotoFactory(device=second, color=(0, 160, 0))
    panels = []
    monkeypatch.setattr(cards, "draw_panels", lambda p, title="": panels.extend(p) or b"png")
    devices = list(Device.objects.with_key_specs().order_by("slug"))
    fields = views._shared_rows(devices)
    drawn = [views.share_panel(device, fields) for device in devices]
    assert [(p.name, p.rows) for p in drawn] == [
        ("Nothing Phone (2)", [("RAM", "12 GB")]),
        ("Pixel 8", [("RAM", "8 GB")]),
    ]
    assert drawn[0].outline.size_text == "76.4 × 162.1 × 8.6 mm" and not drawn[0].photo
    assert drawn[1].photo.endswith("-640.jpg")


def test_the_photo_is_on_the_drawn_card(client, pair):
    DevicePhotoFactory(device=pair[1], color=(0, 160, 0))
    _format, _size, card = png_of(client.get(card_url("nothing-phone-2", "pixel-8")))
    # The second panel's picture box is its upper part; the photo fills its middle.
    assert card.getpixel((900, 210)) == pytest.approx((0, 160, 0), abs=12)


def test_a_card_is_drawn_again_only_when_what_it_shows_changes(client, pair, drawn):
    url = card_url("nothing-phone-2", "pixel-8")
    client.get(url)
    DeviceFactory(name="Unrelated").save()
    first, _second = pair
    first.summary = "Changed, but no card shows a summary."
    first.save()
    client.get(url)
    assert len(drawn) == 1
    first.name = "Nothing Phone (2a)"
    first.save()
    client.get(url)
    assert len(drawn) == 2
    assert len(stored_cards()) == 1  # the old version went


def test_an_edit_to_an_unrelated_device_of_the_same_brand_draws_no_card_again(
    client, pair, drawn, committed
):
    first, _second = pair
    sibling = DeviceFactory(name="Nothing Phone (1)", brand=first.brand, category=first.category)
    ram = first.key_specs[0].field
    SpecValueFactory(device=sibling, field=ram, value="8 GB")
    urls = [card_url("nothing-phone-2", "pixel-8"), device_card_url(first)]
    before = [client.get(url).content for url in urls]
    with committed():  # the content version moves, as after any edit
        sibling.name = "Nothing Phone (1) Lite"
        sibling.save()
        sibling.specs.update(value="6 GB", number=6)
    assert [client.get(url).content for url in urls] == before
    assert len(drawn) == 2


def cards_of(client, urls):
    """[(names stored for its kind, bytes served)] for each (kind, url) in ``urls``."""
    shown = []
    for kind, url in urls:
        content = client.get(url).content
        shown.append((stored_cards(kind), content))
    return shown


def test_renaming_the_brand_draws_the_device_and_comparison_cards_again(
    client, pair, drawn, committed
):
    first, _second = pair
    urls = [("device", device_card_url(first)), ("compare", card_url("nothing-phone-2", "pixel-8"))]
    before = cards_of(client, urls)
    with committed():
        first.brand.name = "Nothing Technology"
        first.brand.save()
    after = cards_of(client, urls)
    for (old_names, old_png), (new_names, new_png) in zip(before, after, strict=True):
        assert len(old_names) == len(new_names) == 1
        assert new_names != old_names and new_png != old_png
    assert len(drawn) == 4


def test_renaming_a_key_field_draws_the_device_and_comparison_cards_again(
    client, pair, drawn, committed
):
    first, _second = pair
    urls = [("device", device_card_url(first)), ("compare", card_url("nothing-phone-2", "pixel-8"))]
    ram = first.key_specs[0].field
    before = cards_of(client, urls)
    with committed():
        ram.name = "Memory"
        ram.save()
    after = cards_of(client, urls)
    for (old_names, old_png), (new_names, new_png) in zip(before, after, strict=True):
        assert len(old_names) == len(new_names) == 1
        assert new_names != old_names and new_png != old_png
    assert len(drawn) == 4


def test_a_card_url_is_canonical_and_needs_existing_devices(client, pair):
    response = client.get(card_url("pixel-8", "nothing-phone-2"))
    assert response.status_code == 301
    assert response["Location"] == card_url("nothing-phone-2", "pixel-8")
    assert client.get(card_url("ghost", "nothing-phone-2")).status_code == 404
    assert client.get(card_url("nothing-phone-2")).status_code == 404
    assert client.get(card_url("nothing-phone-2", "nothing-phone-2")).status_code == 404


@pytest.mark.parametrize(
    "slugs", [["pixel-8"], ["pixel-8", ""], ["a", "b", "c", "d", "e"], ["pixel-8"] * 200]
)
def test_a_card_refuses_every_key_a_comparison_page_refuses(client, pair, slugs):
    assert client.get(card_url(*slugs)).status_code == 404
    assert client.get(f"/compare/{'-vs-'.join(slugs)}/").status_code == 404


def served_long_ago(client, url, hours):
    """Request ``url``'s card, then date its last use ``hours`` back (its touch expired)."""
    client.get(url)
    name = ShareCard.objects.latest("pk").name
    ShareCard.objects.filter(name=name).update(used_at=timezone.now() - timedelta(hours=hours))
    cache.delete(f"share-card-used:{name}")
    return name


def test_past_the_bound_the_least_recently_served_card_goes_and_the_new_one_is_drawn(
    client, pair, drawn, settings
):
    settings.SHARE_CARDS_MAX = 2
    third, fourth = DeviceFactory(slug="third"), DeviceFactory(slug="zz-fourth")
    served = card_url("nothing-phone-2", "pixel-8")
    idle = card_url("nothing-phone-2", third.slug)
    served_long_ago(client, served, hours=3)
    served_long_ago(client, idle, hours=2)
    client.get(served)  # served again: now the most recent
    new = client.get(card_url("nothing-phone-2", fourth.slug))
    assert new.status_code == 200, new.content[:300]
    assert new.content != cards.generic_card()
    assert new["Cache-Control"] == "public, max-age=86400"
    assert len(stored_cards()) == ShareCard.objects.filter(kind="compare").count() == 2
    assert len(drawn) == 3
    client.get(served)
    assert len(drawn) == 3  # kept
    assert client.get(idle).content != cards.generic_card()
    assert len(drawn) == 4  # evicted, so drawn again


def test_a_flood_of_distinct_comparisons_never_locks_new_cards_out(client, pair, settings):
    settings.SHARE_CARDS_MAX = 3
    first, second = pair
    slugs = [DeviceFactory(slug=f"flood-{n}").slug for n in range(4)]
    for index, one in enumerate(slugs):
        for other in slugs[index + 1 :]:
            assert client.get(card_url(one, other)).content != cards.generic_card()
    assert len(stored_cards()) == 3
    second.name = "Pixel 8 (edited)"
    second.save()
    edited = client.get(card_url(first.slug, second.slug))
    assert edited.content != cards.generic_card()
    assert len(stored_cards()) == 3


def prune_share_cards():
    out = io.StringIO()
    call_command("prune_share_cards", stdout=out)
    return out.getvalue().strip()


def test_prune_share_cards_removes_the_cards_of_deleted_devices_and_unindexed_files(client, pair):
    first, second = pair
    third = DeviceFactory(slug="third")
    for url in (
        card_url(first.slug, second.slug),
        card_url(first.slug, third.slug),
        card_url(second.slug, third.slug),
        device_card_url(first),
        device_card_url(third),
    ):
        assert client.get(url).status_code == 200
    legacy = Path(settings.MEDIA_ROOT) / "cards" / "compare" / "0123456789abcdef-0.png"
    legacy.write_bytes(b"drawn before the index")
    kept = [card_url(second.slug, third.slug), device_card_url(third)]
    kept_names = set(stored_cards("compare") + stored_cards("device")) - {legacy.name}
    third.delete()
    assert prune_share_cards() == (
        "Removed 3 share cards of deleted devices and 1 unindexed cards."
    )
    remaining = set(stored_cards("compare") + stored_cards("device"))
    assert len(remaining) == 2 and remaining < kept_names
    assert ShareCard.objects.count() == 2
    assert set(ShareCard.objects.values_list("key", flat=True)) == {
        first.slug,
        f"{first.slug}-vs-{second.slug}",
    }
    assert all(client.get(url).status_code == 404 for url in kept)
    assert prune_share_cards() == "Removed 0 share cards of deleted devices and 0 unindexed cards."


@pytest.fixture
def measured(monkeypatch):
    """Every text measurement while drawing: [(characters measured)]."""
    lengths = []
    real = ImageDraw.ImageDraw.textlength

    def counting(self, text, *args, **kwargs):
        lengths.append(len(text))
        return real(self, text, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "textlength", counting)
    return lengths


def measuring_cost(measured, draw):
    measured.clear()
    draw()
    return len(measured), sum(measured)


@pytest.mark.parametrize("spaced", [False, True])
def test_fitting_a_2000_character_value_costs_about_what_a_short_one_does(measured, spaced):
    def text(length):
        return ("word " * length)[:length] if spaced else "x" * length

    def panels(value):
        rows = [("RAM", value), ("Storage", "256 GB"), ("Weight", "187 g")]
        return lambda: cards.draw_panels([cards.Panel(value, "Google · Phones", rows=rows)] * 4)

    def story(value):
        return lambda: cards.draw_story(value, value, value)

    calls, _ = measuring_cost(measured, panels("12 GB"))
    assert measuring_cost(measured, panels(text(2000)))[0] <= 5 * calls
    for draw in (panels, story):
        # No worse than linear: twice the text, at most twice the measuring.
        half_calls, half_characters = measuring_cost(measured, draw(text(1000)))
        long_calls, long_characters = measuring_cost(measured, draw(text(2000)))
        assert long_calls <= 2 * half_calls
        assert long_characters <= 2 * half_characters


def test_a_cut_text_still_fills_its_width():
    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    font = cards._font(26)
    cut = cards._fit(draw, "x" * 2000, font, 245)
    assert cut.endswith("…" if cards._full_fonts() else "...")
    assert draw.textlength(cut, font=font) <= 245
    assert draw.textlength("x" + cut, font=font) > 245  # one more letter would not fit
    assert cards._fit(draw, "12 GB", font, 245) == "12 GB"
    lines = cards._wrap(draw, "word " * 400, font, 245, 2)
    assert len(lines) == 2 and lines[0].startswith("word word")
    assert all(draw.textlength(line, font=font) <= 245 for line in lines)


def test_past_the_rate_new_cards_wait_and_get_the_generic_card(client, pair, settings):
    settings.SHARE_CARD_RENDERS_PER_MINUTE = 1
    third = DeviceFactory(slug="third")
    assert client.get(card_url("nothing-phone-2", "pixel-8")).content != cards.generic_card()
    assert client.get(card_url("nothing-phone-2", third.slug)).content == cards.generic_card()
    assert len(stored_cards()) == 1


def test_a_device_page_without_a_photo_shares_its_generated_card(client, pair):
    first, _second = pair
    html = client.get(first.get_absolute_url()).text
    card = reverse("comparisons:device-card", args=[first.slug])
    assert f'<meta property="og:image" content="http://testserver{card}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert png_of(client.get(card))[:2] == ("PNG", (1200, 630))
    assert client.get(reverse("comparisons:device-card", args=["ghost"])).status_code == 404


def test_a_story_without_a_hero_shares_its_generated_card(client, drawn):
    story = ArticleFactory(title="Nothing Phone (2) gets ChatGPT", slug="phone-update")
    html = client.get(story.get_absolute_url()).text
    card = reverse("news:article-card", args=["phone-update"])
    assert f'<meta property="og:image" content="http://testserver{card}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    response = client.get(card)
    assert png_of(response)[:2] == ("PNG", (1200, 630))
    client.get(card)
    assert len(drawn) == 1
    assert stored_cards("news")


def test_a_story_not_yet_published_has_no_card(client):
    draft = ArticleFactory(status="draft")
    later = ArticleFactory(published_at=timezone.now() + timezone.timedelta(days=1))
    for story in (draft, later):
        assert client.get(reverse("news:article-card", args=[story.slug])).status_code == 404


def test_the_generic_card_is_a_1200_by_630_png():
    with Image.open(io.BytesIO(cards.generic_card())) as image:
        assert (image.format, image.size) == ("PNG", (1200, 630))


def test_a_shared_comparison_offers_its_card(client):
    phone = DeviceFactory(name="Card Phone")
    other = DeviceFactory(name="Card Other")
    key = "-vs-".join(sorted([phone.slug, other.slug]))
    html = client.get(f"/compare/{key}/").text
    assert f'<meta property="og:image" content="http://testserver/compare/{key}/card.png">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert html.count('rel="canonical"') == 1
