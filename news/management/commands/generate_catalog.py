"""A synthetic catalog and newsroom for the benchmark (``make bench``).

Everything generated has a slug starting with ``gen-`` so it can be found again,
refused twice, or replaced with ``--replace``; the demo catalog's categories and
fields (and its six devices) are loaded first through the importer.
"""

import random
import time
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify

from catalog.demo import load_catalog
from catalog.models import (
    Brand,
    Category,
    Device,
    SpecField,
    SpecValue,
)
from comparisons.models import CompareItem
from core.content import content_changed
from core.db import refresh_planner_statistics
from core.django_private import delete_without_signals
from core.terminal import Counter
from news.models import Article, Author, Tag

PREFIX = "gen-"
BATCH = 2000

BRAND_STEMS = ["Aur", "Bri", "Cor", "Dyn", "Ela", "Fen", "Gal", "Hel", "Ion", "Jun"]
BRAND_ENDS = ["ex", "ona", "vo", "tek", "ra", "ix", "um", "io"]
SERIES = {
    "Phones": ["Nova", "Edge", "Pulse", "Note", "Vibe", "Zen", "Spark", "Orbit"],
    "Laptops": ["Book", "Air", "Pro", "Flex", "Slate", "Studio"],
    "Chipsets": ["Core", "Fusion", "Quantum", "Tensor"],
}
SUFFIXES = ["", "", " Pro", " Lite", " Plus", " Max", " Ultra", " 5G"]
TOPICS = ["Phones", "Laptops", "Chipsets", "AI", "Cameras", "Batteries", "Displays", "Gaming"]
TOPICS += ["Wearables", "Software updates", "Deals", "Reviews", "Rumours", "Electric vehicles"]
AUTHORS = ["Ana Ruiz", "Ben Okafor", "Chen Wei", "Dana Novak", "Elif Kaya", "Femi Adeyemi"]
ADJECTIVES = ["bright", "fast", "slim", "efficient", "sturdy", "quiet", "capable", "polished"]
NOUNS = ["screen", "battery", "camera", "chipset", "keyboard", "speaker", "hinge", "modem"]
VERBS = ["improves", "refines", "rethinks", "extends", "balances", "sharpens", "doubles"]


class Command(BaseCommand):
    help = "Build a synthetic catalog and newsroom for the benchmark (slugs start with gen-)."

    def add_arguments(self, parser):
        parser.add_argument("--devices", type=int, default=10_000)
        parser.add_argument("--articles", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--replace", action="store_true", help="Delete earlier generated data first."
        )

    def handle(self, *args, devices, articles, seed, replace, **options):
        if devices < 0 or articles < 0:
            raise CommandError("--devices and --articles must be 0 or more.")
        if not replace and _generated_exists():
            raise CommandError(
                "Generated data already exists (slugs starting with 'gen-'). "
                "Run again with --replace to delete it and generate anew."
            )
        started = time.perf_counter()
        rng = random.Random(seed)
        with transaction.atomic():
            if replace:
                _delete_generated()
            load_catalog()
            counter = Counter(self.stdout, "devices")
            try:
                made = _generate_devices(rng, devices, counter)
            finally:
                counter.finish()
            tag_links, device_links = _generate_articles(rng, articles, made)
        content_changed()
        refresh_planner_statistics()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {len(made)} devices with {made.spec_count} spec values and "
                f"{articles} articles ({tag_links} tag links, {device_links} device links) "
                f"in {elapsed:.1f} s."
            )
        )


def _generated_exists():
    return (
        Device.objects.filter(slug__startswith=PREFIX).exists()
        or Article.objects.filter(slug__startswith=PREFIX).exists()
    )


def _delete_generated():
    """Delete in bulk: an ORM delete() would load every row to send its signals."""
    devices = Device.objects.filter(slug__startswith=PREFIX)
    articles = Article.objects.filter(slug__startswith=PREFIX)
    tags = Tag.objects.filter(slug__startswith=PREFIX)
    authors = Author.objects.filter(slug__startswith=PREFIX)
    tag_links = Article.tags.through.objects
    device_links = Article.devices.through.objects
    for queryset in (
        tag_links.filter(article__in=articles),
        tag_links.filter(tag__in=tags),
        device_links.filter(article__in=articles),
        device_links.filter(device__in=devices),
        SpecValue.objects.filter(device__in=devices),
    ):
        delete_without_signals(queryset)
    CompareItem.objects.filter(device__in=devices).update(device=None)
    Device.objects.filter(powered_by__in=devices).update(powered_by=None)
    for queryset in (articles, devices, tags, Brand.objects.filter(slug__startswith=PREFIX)):
        delete_without_signals(queryset)
    # Unless an editor has since signed a story with one of them.
    authors.exclude(pk__in=Article.objects.values("author")).delete()


class _Made(list):
    spec_count = 0


def _generate_devices(rng, count, progress=None):
    """Chipsets first, so phones and laptops can point to them; returns the devices.
    ``progress(done, count)`` is called after each batch."""
    brands = Brand.objects.bulk_create(
        Brand(name=name, slug=PREFIX + slugify(name), description=f"{name} makes gadgets.")
        for name in _brand_names(rng)
    )
    categories = {c.name: c for c in Category.objects.filter(name__in=SERIES)}
    fields = list(SpecField.objects.prefetch_related("categories"))
    plan = [("Chipsets", max(1, count * 15 // 100) if count else 0)]
    plan += [("Laptops", count // 4)]
    plan.append(("Phones", count - sum(n for _, n in plan)))
    made = _Made()
    chipsets = []
    index = 0
    for category_name, how_many in plan:
        category = categories[category_name]
        makers = _makers(category_name, fields)
        for start in range(0, how_many, BATCH):
            batch = []
            for _ in range(min(BATCH, how_many - start)):
                index += 1
                batch.append(_device(rng, index, category, brands, chipsets))
            batch = Device.objects.bulk_create(batch)
            if category_name == "Chipsets":
                chipsets.extend(batch)
            specs = [
                SpecValue(device_id=device.pk, field_id=field_id, value=text, number=number)
                for device in batch
                for field_id, maker in makers
                for text, number in [maker(rng, category_name)]
            ]
            SpecValue.objects.bulk_create(specs, batch_size=BATCH * 4)
            made.spec_count += len(specs)
            made.extend(batch)
            if progress is not None:
                progress(len(made), count)
    return made


def _brand_names(rng):
    names = [stem + end for stem in BRAND_STEMS for end in BRAND_ENDS]
    rng.shuffle(names)
    return names[:40]


def _device(rng, index, category, brands, chipsets):
    brand = rng.choice(brands)
    series = rng.choice(SERIES[category.name])
    name = f"{brand.name} {series} {rng.randint(2, 30)}{rng.choice(SUFFIXES)}"
    released = timezone.now().date() - timedelta(days=rng.randint(30, 6 * 365))
    price = None
    if category.name != "Chipsets":
        low, high = (149, 1599) if category.name == "Phones" else (399, 3499)
        price = Decimal(f"{rng.randint(low, high)}.99")
    return Device(
        name=name,
        slug=f"{PREFIX}{slugify(name)}-{index}",
        brand=brand,
        category=category,
        released=released,
        status=_status(index),
        launch_price=price,
        summary=f"The {name} is a {rng.choice(ADJECTIVES)} {category.name[:-1].lower()} "
        f"from {brand.name}.",
        powered_by=rng.choice(chipsets) if chipsets and category.name != "Chipsets" else None,
    )


# One device in twenty of each: announced, rumoured, cancelled; three discontinued; the
# rest available. Drawn from the index, so the seeded names and figures stay as they were.
STATUS_CYCLE = [
    *[Device.Status.AVAILABLE] * 14,
    *[Device.Status.DISCONTINUED] * 3,
    Device.Status.ANNOUNCED,
    Device.Status.RUMOURED,
    Device.Status.CANCELLED,
]


def _status(index):
    return STATUS_CYCLE[index * 7 % len(STATUS_CYCLE)]


def _makers(category_name, fields):
    """(field id, value maker) for the fields of this category that the generator knows."""
    makers = []
    for field in fields:
        maker = _dimensions if field.role == SpecField.Role.DIMENSIONS else VALUES.get(field.name)
        applies = {c.name for c in field.categories.all()}
        if maker and (
            category_name in applies or (category_name == "Phones" and field.name in PLATFORM)
        ):
            makers.append((field.pk, maker))
    return makers


def _number(low, high, unit, step=1):
    def make(rng, category):
        value = round(rng.uniform(low, high) / step) * step
        value = round(value, 2)
        text = f"{value:g} {unit}".strip()
        return text, float(value)

    return make


def _choice(*options):
    def make(rng, category):
        return rng.choice(options), None

    return make


def _pick(unit, *numbers):
    def make(rng, category):
        number = rng.choice(numbers)
        return f"{number} {unit}", float(number)

    return make


def _by_category(phones, laptops, chipsets=None):
    def make(rng, category):
        maker = {"Phones": phones, "Laptops": laptops}.get(category, chipsets or phones)
        return maker(rng, category)

    return make


def _resolution(rng, category):
    width, height = rng.choice([(1080, 2400), (1220, 2712), (1440, 3120), (2880, 1800)])
    return f"{width} × {height}", None


def _dimensions(rng, category):
    if category == "Laptops":
        return f"{rng.randint(300, 360)} × {rng.randint(210, 250)} × {rng.randint(12, 20)} mm", None
    return (
        f"{rng.uniform(146, 165):.1f} × {rng.uniform(70, 78):.1f} × 8.{rng.randint(0, 9)} mm",
        None,
    )


def _cpu(rng, category):
    big = rng.choice(["Cortex-X4", "Cortex-A78", "Cortex-A76", "Oryon"])
    return f"{rng.randint(1, 4)}× {big} + {rng.randint(4, 6)}× Cortex-A55", None


PLATFORM = {"Process node", "CPU cores", "Max CPU clock", "NPU", "Memory type", "Storage type"}
VALUES = {
    "Display size": _by_category(_number(6.1, 6.9, "in", 0.1), _number(13, 16, "in", 0.1)),
    "Display type": _choice("OLED", "LTPO OLED", "IPS LCD", "Mini-LED"),
    "Resolution": _resolution,
    "Refresh rate": _pick("Hz", 60, 90, 120, 144),
    "Peak brightness": _number(500, 3000, "nits", 50),
    "Process node": _number(3, 12, "nm"),
    "CPU": _cpu,
    "CPU cores": _number(6, 12, ""),
    "Max CPU clock": _number(2.0, 4.2, "GHz", 0.05),
    "GPU": _choice("Adreno 740", "Mali-G715", "Immortalis-G720", "Xclipse 940", "Adreno X1"),
    "NPU": _number(5, 50, "TOPS"),
    "RAM": _by_category(_number(4, 16, "GB", 2), _number(8, 64, "GB", 8)),
    "Memory type": _choice("LPDDR4X", "LPDDR5", "LPDDR5X"),
    "Storage": _by_category(_number(64, 1024, "GB", 64), _number(256, 2048, "GB", 256)),
    "Storage type": _choice("UFS 2.2", "UFS 3.1", "UFS 4.0", "NVMe SSD"),
    "Main camera": _number(12, 200, "MP", 2),
    "Selfie camera": _number(8, 50, "MP", 2),
    "Camera support": _number(48, 320, "MP", 4),
    "Battery capacity": _number(3000, 6500, "mAh", 50),
    "Battery energy": _number(40, 100, "Wh"),
    "Wired charging": _by_category(_number(15, 120, "W", 5), _number(45, 140, "W", 5)),
    "Wireless charging": _number(5, 50, "W", 5),
    "Weight": _by_category(_number(150, 240, "g"), _number(900, 2500, "g", 10)),
    "IP rating": _choice("IP52", "IP54", "IP67", "IP68"),
    "5G": _choice("Yes", "Yes", "No"),
    "OS": _by_category(_choice("Android 14", "Android 15"), _choice("Windows 11", "ChromeOS")),
}


def _sentence(rng, device_name):
    return (
        f"The {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} of the {device_name} "
        f"{rng.choice(VERBS)} what came before, and the {rng.choice(NOUNS)} is "
        f"{rng.choice(ADJECTIVES)} too."
    )


def _generate_articles(rng, count, devices):
    """Articles with 1–3 tags and 0–3 devices, published in the past; returns link counts."""
    tags = Tag.objects.bulk_create(Tag(name=f"{t} (gen)", slug=PREFIX + slugify(t)) for t in TOPICS)
    authors = [
        Author.objects.get_or_create(slug=PREFIX + slugify(name), defaults={"name": name})[0]
        for name in AUTHORS
    ]
    now = timezone.now()
    names = [d.name for d in devices] or ["gadget"]
    tag_links = device_links = 0
    TagLink, DeviceLink = Article.tags.through, Article.devices.through
    for start in range(0, count, BATCH):
        batch, mentions = [], []
        for i in range(start, min(count, start + BATCH)):
            mentioned = rng.sample(devices, k=min(len(devices), rng.randint(0, 3)))
            name = mentioned[0].name if mentioned else rng.choice(names)
            adjective, noun, verb = rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(VERBS)
            title = f"{name}: the {adjective} {noun} {verb} it all"
            paragraphs = [
                " ".join(_sentence(rng, name) for _ in range(rng.randint(2, 4)))
                for _ in range(rng.randint(2, 4))
            ]
            batch.append(
                Article(
                    title=title[:200],
                    slug=f"{PREFIX}{slugify(title)[:150]}-{i + 1}",
                    summary=paragraphs[0].split(". ")[0].rstrip(".") + ".",
                    body="\n\n".join(paragraphs),
                    body_html="\n".join(f"<p>{escape(p)}</p>" for p in paragraphs),
                    author=rng.choice(authors),
                    status=Article.Status.PUBLISHED,
                    published_at=now - timedelta(minutes=rng.randint(10, 3 * 365 * 24 * 60)),
                )
            )
            mentions.append(mentioned)
        batch = Article.objects.bulk_create(batch)
        links = [
            TagLink(article_id=article.pk, tag_id=tag.pk)
            for article in batch
            for tag in rng.sample(tags, k=rng.randint(1, 3))
        ]
        TagLink.objects.bulk_create(links, batch_size=BATCH * 2)
        tag_links += len(links)
        DeviceLink.objects.bulk_create(
            (
                DeviceLink(article_id=article.pk, device_id=device.pk)
                for article, mentioned in zip(batch, mentions, strict=True)
                for device in mentioned
            ),
            batch_size=BATCH * 2,
        )
        device_links += sum(len(m) for m in mentions)
    return tag_links, device_links
