"""Authors become profiles (step 2 of 3): one Author per distinct byline text, every story
pointed at its author. Backwards, each story's text is its author's name again."""

from django.db import migrations
from django.utils.text import slugify

# The name given to stories whose byline was empty.
UNSIGNED = "Staff"


def _unique_slug(name, taken):
    base = slugify(name)[:90] or "author"
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


def authors_from_bylines(apps, schema_editor):
    db = schema_editor.connection.alias
    Article = apps.get_model("news", "Article")
    Author = apps.get_model("news", "Author")
    taken = set(Author.objects.using(db).values_list("slug", flat=True))
    unlinked = Article.objects.using(db).filter(author_profile=None)
    for text in unlinked.order_by("author").values_list("author", flat=True).distinct():
        name = text.strip() or UNSIGNED
        author = Author.objects.using(db).filter(name=name).order_by("pk").first()
        if author is None:
            author = Author.objects.using(db).create(name=name, slug=_unique_slug(name, taken))
        unlinked.filter(author=text).update(author_profile=author)


def bylines_from_authors(apps, schema_editor):
    db = schema_editor.connection.alias
    Article = apps.get_model("news", "Article")
    Author = apps.get_model("news", "Author")
    for author in Author.objects.using(db).filter(articles__isnull=False).distinct():
        Article.objects.using(db).filter(author_profile=author).update(author=author.name)


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0006_author"),
    ]

    operations = [
        migrations.RunPython(authors_from_bylines, bylines_from_authors),
    ]
