"""Two editors with the same story open: the second save never undoes the first silently."""

import pytest
import reversion
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils.html import escape
from reversion.models import Version

from core.conflicts import TOKEN_FIELD
from core.editors import EDITORS_GROUP
from news.models import Article
from tests.admin_forms import form_data
from tests.conftest import _signed_in_member
from tests.factories import ArticleFactory, AuthorFactory
from tests.hostile import SCRIPT

pytestmark = pytest.mark.django_db

SAVE_AGAIN = "Saving again will replace their changes with yours."


@pytest.fixture
def story():
    return ArticleFactory(title="Old title", summary="Old summary.", body="Plain.")


def url(article):
    return reverse("admin:news_article_change", args=[article.pk])


def open_form(client, article):
    """What the editor's tab holds once the change form is open."""
    response = client.get(url(article))
    assert response.status_code == 200
    return form_data(response, "article")


def save(client, article, data, **changes):
    return client.post(url(article), {**data, **{k: [v] for k, v in changes.items()}})


def errors(response):
    return [str(error) for error in response.context["adminform"].form.non_field_errors()]


def test_the_second_save_is_refused_naming_who_changed_what_and_keeps_what_was_typed(
    ann, bea, story
):
    a_tab, b_tab = open_form(ann, story), open_form(bea, story)
    assert save(bea, story, b_tab, summary="Bea's summary.").status_code == 302

    response = save(ann, story, a_tab, title="Ann's title")

    assert response.status_code == 200
    message = " ".join(errors(response))
    assert "Bea Baker changed this article after you opened it" in message
    assert "Summary" in message
    assert SAVE_AGAIN in message
    # The error is at the top of the form, and what Ann typed is still in it.
    assert 'class="errorlist nonfield"' in response.text
    assert form_data(response, "article")["title"] == ["Ann's title"]
    story.refresh_from_db()
    assert (story.title, story.summary) == ("Old title", "Bea's summary.")


def test_saving_again_after_reading_replaces_their_changes_with_yours(ann, bea, story):
    a_tab, b_tab = open_form(ann, story), open_form(bea, story)
    save(bea, story, b_tab, summary="Bea's summary.")
    refused = save(ann, story, a_tab, title="Ann's title")
    again = form_data(refused, "article")
    assert again[TOKEN_FIELD] != a_tab[TOKEN_FIELD]

    response = save(ann, story, again)

    assert response.status_code == 302
    story.refresh_from_db()
    # Ann's form held the summary as she opened it: saving it again is deliberate.
    assert (story.title, story.summary) == ("Ann's title", "Old summary.")


def test_a_story_with_an_earlier_revision_shows_each_change_old_to_new(ann, bea, story):
    with reversion.create_revision():
        story.save()
    a_tab, b_tab = open_form(ann, story), open_form(bea, story)
    save(bea, story, b_tab, summary="Bea's summary.", title="Bea's title")

    response = save(ann, story, a_tab, body="Ann's body.")

    listed = errors(response)
    assert "Title: “Old title” → “Bea's title”" in listed
    assert "Summary: “Old summary.” → “Bea's summary.”" in listed
    assert not any(line.startswith("Body") for line in listed)


def test_changes_by_two_editors_name_both(ann, bea, story):
    cy = _signed_in_member("cy", EDITORS_GROUP, "Cy", "Cole")
    a_tab, b_tab = open_form(ann, story), open_form(bea, story)
    save(bea, story, b_tab, summary="Bea's summary.")
    save(cy, story, open_form(cy, story), title="Cy's title")

    response = save(ann, story, a_tab, body="Ann's body.")

    assert "Bea Baker and Cy Cole changed this article" in errors(response)[0]


def test_a_save_with_nothing_changed_since_works_and_the_token_is_not_a_change(ann, story):
    response = save(ann, story, open_form(ann, story), title="Ann's title")
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title == "Ann's title"
    entry = LogEntry.objects.get(object_id=str(story.pk))
    assert entry.get_change_message() == "Changed Title."


def test_saving_twice_from_the_same_tab_after_continue_editing_works(ann, story):
    response = save(ann, story, open_form(ann, story), title="First", _continue=["1"])
    assert response.status_code == 302
    reopened = open_form(ann, story)
    assert save(ann, story, reopened, title="Second").status_code == 302
    story.refresh_from_db()
    assert story.title == "Second"


@pytest.mark.parametrize("token", [None, "", "garbage", "12.x", "99999.1"])
def test_a_missing_or_unknown_token_is_refused_with_a_clear_message_and_never_fails(
    ann, story, token
):
    data = open_form(ann, story)
    if token is None:
        del data[TOKEN_FIELD]
    else:
        data[TOKEN_FIELD] = [token]

    response = save(ann, story, data, title="Ann's title")

    assert response.status_code == 200
    message = " ".join(errors(response))
    assert "not saved yet" in message and SAVE_AGAIN in message
    story.refresh_from_db()
    assert story.title == "Old title"
    # The page now carries the story's token: saving again works.
    assert save(ann, story, form_data(response, "article")).status_code == 302
    story.refresh_from_db()
    assert story.title == "Ann's title"


def test_a_change_made_outside_the_form_counts_too(ann, bea, story):
    a_tab = open_form(ann, story)
    changelist = reverse("admin:news_article_changelist")
    bea.post(changelist, {"action": "publish_now", ACTION_CHECKBOX_NAME: [story.pk]})

    response = save(ann, story, a_tab, title="Ann's title")

    assert response.status_code == 200
    # "Publish now" leaves a revision of its own: the message names who did it.
    assert "Bea Baker changed this article" in errors(response)[0]


def test_what_the_other_editor_typed_is_shown_as_text(ann, bea, story):
    with reversion.create_revision():
        story.save()
    a_tab, b_tab = open_form(ann, story), open_form(bea, story)
    save(bea, story, b_tab, summary=SCRIPT)

    response = save(ann, story, a_tab, title="Ann's title")

    assert escape(SCRIPT) in response.text
    assert SCRIPT not in response.text


def test_the_add_form_has_no_token_and_adds_as_before(ann):
    page = ann.get(reverse("admin:news_article_add"))
    assert f'name="{TOKEN_FIELD}"' not in page.text
    data = form_data(page, "article")
    data |= {
        "title": ["Fresh"],
        "slug": ["fresh"],
        "summary": ["Short."],
        "body": ["Plain."],
        "status": ["draft"],
        "author": [str(AuthorFactory().pk)],
    }
    assert ann.post(reverse("admin:news_article_add"), data).status_code == 302
    assert Article.objects.filter(slug="fresh").exists()


def test_a_view_only_page_shows_no_token(client, story):
    viewer = User.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    page = client.get(url(story))
    assert page.status_code == 200
    assert TOKEN_FIELD not in page.text and "Base revision" not in page.text


def test_restoring_an_earlier_version_from_history_then_editing_still_saves(ann, story):
    save(ann, story, open_form(ann, story), title="First title")
    save(ann, story, open_form(ann, story), title="Second title")
    first = Version.objects.get_for_object(story).order_by("pk").first()
    restore = reverse("admin:news_article_restore", args=[story.pk, first.pk])
    assert ann.post(restore).status_code == 302
    story.refresh_from_db()
    assert story.title == "First title"

    response = save(ann, story, open_form(ann, story), title="Third title")

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title == "Third title"
