"""Demo stories for ``manage.py load_demo``: four articles about the demo catalog's devices.

Idempotent: stories, their authors and tags are matched by slug and updated in place. Devices are
looked up by slug; any the catalog does not have yet are skipped.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.text import slugify

from catalog.models import Device

from .models import Article, Author, Tag

XIAOMI_BODY = """\
Xiaomi built its name on phones that undercut the competition. Its founder and chief
executive, Lei Jun, now wants the same company to become one of the five largest carmakers
in the world, and he gives it fifteen to twenty years to get there.

## A car company it fully owns

Xiaomi Auto is not a joint venture: Xiaomi holds 100 % of it. Lei Jun is frank that the
Chinese electric-vehicle makers already on the road are six to seven years ahead. His bet
is that Xiaomi can close the gap where it is strongest, in electronics and in the everyday
experience of using a device, with customer deliveries starting in 2024.

The first phase of research into autonomous driving has a budget of **CNY 3.3 billion**
and a team of more than 500 people. Buying companies to move faster has not been ruled out.

## Shops, software and a connected home

Xiaomi opened about 10,000 stores across China in three years. They sell phones today and
will help sell cars tomorrow. Over the long run, Lei Jun expects the profit to come from
software more than from the hardware itself, and the goal is one system that links:

- the phone in your pocket,
- the car in your driveway,
- and the smart home around you.

## What about AI?

Adam Zeng, who runs Xiaomi's phone division as its president, says large AI models are the
next step for its voice assistant, Xiao AI. A
smarter assistant is also what would tie the phone, the car and the home together.
"""

MEDIATEK_BODY = """\
MediaTek has a new entry-level 5G chipset, the **Dimensity 6300**. It takes over from the
Dimensity 6100+, and on paper the two are close relatives: the changes are small, which is
typical of chips meant for affordable phones.

## Same layout, a little more speed

Both are built on a 6 nm process and use eight CPU cores in the same arrangement: two
Cortex-A76 performance cores and six Cortex-A55 efficiency cores. The difference is the
clock of the big cores, now 2.4 GHz instead of 2.2 GHz. The small cores stay at 2.0 GHz.

| | Dimensity 6300 | Dimensity 6100+ |
|---|---|---|
| Process | 6 nm | 6 nm |
| Cortex-A76 | 2× at 2.4 GHz | 2× at 2.2 GHz |
| Cortex-A55 | 6× at 2.0 GHz | 6× at 2.0 GHz |
| GPU | Mali-G57 MC2 | Mali-G57 MC2 |

## The rest of the package

Graphics still come from a Mali-G57 MC2. Memory is LPDDR4X and storage UFS 2.2, and the
image processor handles cameras of up to 108 MP. Both chips include a 5G modem, which is
what makes them interesting: 5G keeps moving down into cheaper phones.

Expect the first Dimensity 6300 phones to look a lot like the 6100+ phones they replace,
only slightly quicker when the two big cores are busy.
"""

NOTHING_BODY = """\
Nothing has pushed a software update to the **Phone (2)** that adds three things owners
asked about: a ChatGPT integration, Ultra XDR photos and a RAM booster.

## What the update brings

- **ChatGPT integration**: shortcuts that put OpenAI's assistant a tap away.
- **Ultra XDR photos**: brighter highlights with more range in high-contrast scenes.
- **RAM booster**: part of the storage lends a hand when memory runs short.

## A quick reminder of the hardware

The Phone (2) came out in July 2023. It has a 6.7-inch LTPO OLED screen of 1080 × 2412
pixels that runs between 1 and 120 Hz and peaks at 1,600 nits. Inside is Qualcomm's
Snapdragon 8+ Gen 1 with 8 or 12 GB of RAM and 128, 256 or 512 GB of storage.

On the back sit two 50 MP cameras: the main one uses Sony's IMX890 sensor with optical
stabilisation, the other is an ultrawide. The selfie camera has 32 MP. The 4,700 mAh
battery charges at 45 W with a cable and 15 W without. The phone weighs 201.2 g, measures
162.1 × 76.4 × 8.6 mm and is rated IP54 against dust and splashes.
"""

LENOVO_BODY = """\
Windows laptops with Arm chips have been promised for years. The **Lenovo Yoga Slim 7x** is
one of the first to ship with Qualcomm's **Snapdragon X Elite**, and it makes a strong case.

## The chip

The X1E-78-100 version of the Snapdragon X Elite has 12 Oryon CPU cores running at up to
3.4 GHz, an Adreno GPU and an NPU rated at 45 TOPS for on-device AI, enough for the AI
features Microsoft is building into Windows 11.

## The laptop

- 14.5-inch OLED screen, 2944 × 1840 pixels, 90 Hz
- 16 or 32 GB of LPDDR5X memory
- 512 GB or 1 TB SSD
- 70 Wh battery
- 1.28 kg

It runs Windows 11. Apps built for Arm run natively; older x86 apps go through emulation,
which is the part early buyers will watch most closely.
"""

AUTHORS = {
    "Mei Lin": "Mei covers electric cars and the phone makers moving into them.",
    "Tomás Ferreira": "Tomás writes about chips: who designs them, who makes them, what they cost.",
    "Sam Okafor": "Sam tests phones and reads their software release notes so you need not.",
}

STORIES = [
    {
        "slug": "xiaomi-lei-jun-top-five-carmaker",
        "title": "Lei Jun wants Xiaomi among the world's top five carmakers",
        "summary": (
            "Xiaomi's founder gives Xiaomi Auto 15 to 20 years to reach the top five, "
            "betting on electronics, 10,000 stores and software rather than hardware margins."
        ),
        "author": "Mei Lin",
        "body": XIAOMI_BODY,
        "tags": ["Xiaomi", "Electric vehicles", "AI"],
        "devices": [],
        "days_ago": 1,
    },
    {
        "slug": "mediatek-dimensity-6300-succeeds-6100-plus",
        "title": "MediaTek Dimensity 6300: a quicker successor to the Dimensity 6100+",
        "summary": (
            "The new 6 nm chipset keeps the 2 + 6 core layout, lifts the Cortex-A76 cores "
            "to 2.4 GHz and brings 5G to cheaper phones."
        ),
        "author": "Tomás Ferreira",
        "body": MEDIATEK_BODY,
        "tags": ["MediaTek", "Chipsets", "5G"],
        "devices": ["mediatek-dimensity-6300", "mediatek-dimensity-6100-plus"],
        "days_ago": 3,
    },
    {
        "slug": "nothing-phone-2-update-chatgpt-ultra-xdr",
        "title": "Nothing Phone (2) update adds ChatGPT, Ultra XDR photos and a RAM booster",
        "summary": (
            "A software update brings ChatGPT shortcuts, brighter Ultra XDR photos and "
            "virtual RAM to the Snapdragon 8+ Gen 1 phone."
        ),
        "author": "Sam Okafor",
        "body": NOTHING_BODY,
        "tags": ["Nothing", "Software update", "Android"],
        "devices": ["nothing-phone-2", "qualcomm-snapdragon-8-plus-gen-1"],
        "days_ago": 5,
    },
    {
        "slug": "lenovo-yoga-slim-7x-snapdragon-x-elite",
        "title": "Lenovo Yoga Slim 7x: an early Snapdragon X Elite laptop",
        "summary": (
            "A 1.28 kg 14.5-inch OLED laptop with 12 Oryon cores, a 45 TOPS NPU and a "
            "70 Wh battery running Windows 11 on Arm."
        ),
        "author": "Mei Lin",
        "body": LENOVO_BODY,
        "tags": ["Lenovo", "Laptops", "Snapdragon", "AI"],
        "devices": ["lenovo-yoga-slim-7x", "qualcomm-snapdragon-x-elite"],
        "days_ago": 8,
    },
]


def load_stories():
    """Create or update the demo stories; returns how many were created or updated."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    authors = {
        name: Author.objects.update_or_create(
            slug=slugify(name), defaults={"name": name, "bio": bio}
        )[0]
        for name, bio in AUTHORS.items()
    }
    count = 0
    for story in STORIES:
        tags = [
            Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
            for name in story["tags"]
        ]
        devices = list(Device.objects.filter(slug__in=story["devices"]))
        article, _ = Article.objects.update_or_create(
            slug=story["slug"],
            defaults={
                "title": story["title"],
                "summary": story["summary"],
                "author": authors[story["author"]],
                "body": story["body"],
                "status": Article.Status.PUBLISHED,
            },
            create_defaults={
                "title": story["title"],
                "summary": story["summary"],
                "author": authors[story["author"]],
                "body": story["body"],
                "status": Article.Status.PUBLISHED,
                "published_at": now - timedelta(days=story["days_ago"]),
            },
        )
        article.tags.set(tags)
        article.devices.set(devices)
        count += 1
    return count
