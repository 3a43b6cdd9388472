import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalog.models import Brand, Device, SpecValue
from news.models import Article

pytestmark = pytest.mark.django_db


def generated():
    return {
        "devices": Device.objects.filter(slug__startswith="gen-").count(),
        "articles": Article.objects.filter(slug__startswith="gen-").count(),
        "specs": SpecValue.objects.filter(device__slug__startswith="gen-").count(),
        "brands": Brand.objects.filter(slug__startswith="gen-").count(),
    }


def test_a_small_run_builds_plausible_devices_and_articles(capsys):
    call_command("generate_catalog", devices=30, articles=20, seed=3)
    counts = generated()
    assert counts["devices"] == 30 and counts["articles"] == 20
    assert counts["specs"] >= 30 * 10
    assert "Generated 30 devices" in capsys.readouterr().out
    assert Device.objects.filter(slug="nothing-phone-2").exists()
    assert not Device.objects.filter(slug__contains="-vs-").exists()
    phone_specs = SpecValue.objects.filter(
        device__slug__startswith="gen-", device__category__name="Phones"
    )
    batteries = phone_specs.filter(field__name="Battery capacity").values_list("number", flat=True)
    assert batteries and all(3000 <= n <= 6500 for n in batteries)
    assert not phone_specs.filter(field__kind="number", number__isnull=True).exists()
    for article in Article.objects.filter(slug__startswith="gen-").prefetch_related(
        "tags", "devices"
    ):
        assert article.is_live and article.published_at < timezone.now()
        assert 1 <= len(article.tags.all()) <= 3
        assert len(article.devices.all()) <= 3
        assert article.body_html.startswith("<p>") and article.summary
        assert article.body.split("\n\n")[0] in article.body_html


def test_a_second_run_is_refused_unless_replace(capsys):
    call_command("generate_catalog", devices=12, articles=5)
    first = generated()
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_catalog", devices=12, articles=5)
    call_command("generate_catalog", devices=12, articles=5, replace=True)
    assert generated() == first


def test_generated_phones_and_laptops_get_a_size_in_the_field_with_the_dimensions_role():
    call_command("generate_catalog", devices=20, articles=0, seed=5)
    drawable = Device.objects.filter(slug__startswith="gen-").exclude(category__kind="chip")
    sizes = SpecValue.objects.filter(device__in=drawable, field__role="dimensions")
    assert drawable.exists() and sizes.count() == drawable.count()
