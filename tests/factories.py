import io

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image

from catalog.models import (
    Brand,
    Category,
    Device,
    DevicePhoto,
    Ranking,
    SpecField,
    SpecGroup,
    SpecValue,
)
from core.conflicts import TOKEN_FIELD, current_token
from news.models import Article, Author, Tag


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class SpecGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpecGroup
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Group {n}")
    order = factory.Sequence(int)


class SpecFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpecField
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    group = factory.SubFactory(SpecGroupFactory)
    name = factory.Sequence(lambda n: f"Field {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    unit = ""
    kind = SpecField.Kind.TEXT
    direction = SpecField.Direction.NONE
    order = factory.Sequence(int)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    name = factory.Sequence(lambda n: f"Device {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    brand = factory.SubFactory(BrandFactory)
    category = factory.SubFactory(CategoryFactory)
    released = factory.Faker("date_between", start_date="-4y", end_date="today")
    launch_price = factory.Faker(
        "pydecimal", left_digits=4, right_digits=0, positive=True, min_value=99, max_value=2499
    )
    summary = factory.Faker("sentence")


class RankingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ranking

    title = factory.Sequence(lambda n: f"Ranking {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    query = "sort=name"
    published = True


class SpecValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpecValue

    device = factory.SubFactory(DeviceFactory)
    field = factory.SubFactory(SpecFieldFactory)
    value = "42"


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Tag {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author
        django_get_or_create = ("slug",)

    name = factory.Faker("name")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Story number {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    summary = factory.Faker("sentence")
    body = factory.Faker("paragraph")
    author = factory.SubFactory(AuthorFactory)
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(hours=1))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)

    @factory.post_generation
    def devices(self, create, extracted, **kwargs):
        if create and extracted:
            self.devices.set(extracted)


def image_bytes(width=64, height=48, fmt="JPEG", color=(200, 40, 40), mode="RGB", **options):
    """A small image made here (tests ship no image files); ``options`` go to Pillow's save
    (``exif=…``, ``xmp=…``)."""
    buffer = io.BytesIO()
    Image.new(mode, (width, height), color).save(buffer, fmt, **options)
    return buffer.getvalue()


def image_upload(name="photo.jpg", data=None, **kwargs):
    """An uploaded file as a form receives it."""
    return SimpleUploadedFile(name, data if data is not None else image_bytes(**kwargs))


class DevicePhotoFactory(factory.django.DjangoModelFactory):
    """A photo, stored as the admin stores one: clean master and resized copies."""

    class Meta:
        model = DevicePhoto

    device = factory.SubFactory(DeviceFactory)
    image = factory.LazyAttribute(
        lambda o: ContentFile(image_bytes(color=o.color), name="photo.jpg")
    )
    order = factory.Sequence(int)

    class Params:
        color = (200, 40, 40)


def form_token(obj):
    """The version token a change form opened now on ``obj`` carries (core.conflicts); an
    add form (``obj`` not saved yet) has none."""
    if obj.pk is None:
        return {}
    return {TOKEN_FIELD: current_token(type(obj), obj.pk, "default")}


def device_form_data(device):
    """The device admin change form's own fields for ``device``, as a browser opened now
    posts them; tests add the inline rows they need."""
    return {
        **form_token(device),
        "name": device.name,
        "slug": device.slug,
        "brand": device.brand_id,
        "category": device.category_id,
        "released": device.released.isoformat() if device.released else "",
        "released_precision": device.released_precision,
        "launch_price": device.launch_price or "",
        "summary": device.summary,
        "powered_by": "",
    }
