"""Scheduling in the story admin: the schedule page, live stories, the status filter, the
editorial calendar, and the site's time zone shown wherever a time is typed."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from core.timezones import offset_label, times_are_in
from news.admin import CALENDAR_PER_DAY
from news.models import Article
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:news_article_changelist"
CALENDAR = "admin:news_article_calendar"
ADD = "admin:news_article_add"


def schedule(client, articles, when=None, **extra):
    """POST the "Schedule…" action for ``articles``: its page, or with ``when`` applied."""
    data = {"action": "schedule", ACTION_CHECKBOX_NAME: [article.pk for article in articles]}
    if when is not None:
        local = timezone.localtime(when)
        data |= {
            "apply": "Schedule",
            "published_at_0": local.strftime("%Y-%m-%d"),
            "published_at_1": local.strftime("%H:%M:%S"),
        }
    return client.post(reverse(CHANGELIST), data | extra)


# The site's time zone


def test_offset_label_names_the_offset_from_gmt():
    london = timezone.get_fixed_timezone(60)
    assert offset_label(datetime(2025, 7, 1, 12, tzinfo=london)) == "GMT+1"
    assert offset_label(datetime(2025, 1, 1, 12, tzinfo=UTC)) == "GMT"
    assert offset_label(datetime(2025, 1, 1, tzinfo=timezone.get_fixed_timezone(-210))) == (
        "GMT-3:30"
    )


def test_times_are_in_follows_summer_time(settings):
    settings.TIME_ZONE = "Europe/London"
    summer = datetime(2025, 7, 1, 12, tzinfo=UTC)
    winter = datetime(2025, 1, 1, 12, tzinfo=UTC)
    assert times_are_in(summer) == "Times are in Europe/London (GMT+1)."
    assert times_are_in(winter) == "Times are in Europe/London (GMT)."


def test_change_form_shows_the_zone_beside_the_publishing_time(editor_client, settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    story = ArticleFactory()
    response = editor_client.get(reverse("admin:news_article_change", args=[story.pk]))
    assert "A future time schedules the article. Times are in Asia/Kolkata (GMT+5:30)." in (
        response.text
    )


# The schedule page


def test_schedule_page_is_an_admin_page_with_the_pickers_and_their_catalog(editor_client):
    draft = ArticleFactory(title="A draft", status="draft", published_at=None)
    response = schedule(editor_client, [draft])
    assert response.status_code == 200
    html = response.text
    assert '<ol class="breadcrumbs">' in html
    assert '<li aria-current="page">Schedule</li>' in html
    # The admin's date and time widgets, with the JavaScript catalog loaded before them.
    assert 'class="vDateField"' in html and 'class="vTimeField"' in html
    catalog = html.index(reverse("admin:jsi18n"))
    assert catalog < html.index("admin/js/calendar.js")
    assert catalog < html.index("admin/js/admin/DateTimeShortcuts.js")
    assert "Times are in UTC (GMT)." in html
    # Nothing is live: no question about live stories.
    assert 'name="live"' not in html


def test_schedule_page_shows_the_site_time_zone(editor_client, settings):
    settings.TIME_ZONE = "America/New_York"
    draft = ArticleFactory(status="draft", published_at=None)
    response = schedule(editor_client, [draft])
    assert "Times are in America/New_York (GMT-" in response.text


def test_scheduling_a_draft_takes_the_time_in_the_site_time_zone(editor_client, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    draft = ArticleFactory(status="draft", published_at=None)
    when = timezone.localtime().replace(microsecond=0) + timedelta(days=3)
    response = schedule(editor_client, [draft], when)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "Scheduled"
    assert draft.published_at == when


def test_schedule_page_asks_about_a_live_story(editor_client):
    live = ArticleFactory(title="Live review", published_at=timezone.now() - timedelta(hours=2))
    draft = ArticleFactory(title="A draft", status="draft", published_at=None)
    response = schedule(editor_client, [live, draft])
    assert "“Live review” is live now" in response.text
    for value, label in [
        ("offline", "Take it offline until then"),
        ("keep", "Keep it live and only change its date"),
    ]:
        assert f'value="{value}"' in response.text and label in response.text


def test_a_live_story_is_not_moved_until_the_editor_chooses(editor_client):
    before = timezone.now() - timedelta(hours=2)
    live = ArticleFactory(published_at=before)
    response = schedule(editor_client, [live], timezone.now() + timedelta(days=1))
    assert response.status_code == 200
    assert "This field is required." in response.text
    live.refresh_from_db()
    assert live.is_live and live.published_at == before


def test_taking_a_live_story_offline_until_then_schedules_it(editor_client, client, committed):
    live = ArticleFactory(title="Live review", published_at=timezone.now() - timedelta(hours=2))
    assert "Live review" in client.get(reverse("news:article-list")).text
    when = timezone.now().replace(microsecond=0) + timedelta(days=1)
    # The content version moves when the change commits: the visitor's cached list ends then.
    with committed():
        response = schedule(editor_client, [live], when, live="offline")
    assert response.status_code == 302
    live.refresh_from_db()
    assert live.state == "Scheduled" and live.published_at == when
    message = editor_client.get(response.url).text
    assert "1 live article(s) taken offline until then" in message
    assert "Live review" not in client.get(reverse("news:article-list")).text


def test_keeping_a_live_story_live_changes_only_its_date(editor_client):
    live = ArticleFactory(published_at=timezone.now() - timedelta(hours=2))
    earlier = timezone.now().replace(microsecond=0) - timedelta(days=3)
    response = schedule(editor_client, [live], earlier, live="keep")
    assert response.status_code == 302
    live.refresh_from_db()
    assert live.is_live and live.published_at == earlier


def test_keeping_a_live_story_live_refuses_a_time_to_come(editor_client):
    before = timezone.now() - timedelta(hours=2)
    live = ArticleFactory(published_at=before)
    draft = ArticleFactory(status="draft", published_at=None)
    response = schedule(
        editor_client, [live, draft], timezone.now() + timedelta(days=1), live="keep"
    )
    assert response.status_code == 200
    assert "A live story dated in the future is hidden until then." in response.text
    live.refresh_from_db()
    draft.refresh_from_db()
    assert live.is_live and live.published_at == before
    assert draft.state == "Draft"


def test_a_bad_time_is_refused_on_the_page(editor_client):
    draft = ArticleFactory(status="draft", published_at=None)
    data = {"apply": "Schedule", "published_at_0": "2025-02-30", "published_at_1": "25:99"}
    response = schedule(editor_client, [draft], **data)
    assert response.status_code == 200
    assert "Enter a valid date." in response.text
    draft.refresh_from_db()
    assert draft.state == "Draft"


# The status filter


def test_status_filter_tells_draft_scheduled_and_live_apart(editor_client):
    drafts = {
        ArticleFactory(title="Plain draft", status="draft", published_at=None).title,
        ArticleFactory(title="Dated draft", status="draft").title,
        ArticleFactory(title="Undated published", published_at=None).title,
    }
    scheduled = ArticleFactory(title="Coming soon", published_at=timezone.now() + timedelta(1))
    live = ArticleFactory(title="Out now", published_at=timezone.now() - timedelta(1))
    url = reverse(CHANGELIST)
    page = editor_client.get(url)
    filters = page.context["cl"].filter_specs[0]
    assert [title for _value, title in filters.lookup_choices] == [
        "Draft",
        "Scheduled",
        "Published (live)",
    ]
    expected = {"draft": drafts, "scheduled": {scheduled.title}, "live": {live.title}}
    for value, titles in expected.items():
        shown = editor_client.get(url, {"state": value}).context["cl"].result_list
        assert {article.title for article in shown} == titles, value
    # An unknown value is no filter at all.
    assert len(editor_client.get(url, {"state": "bogus"}).context["cl"].result_list) == 5
    # "Show counts" counts each choice.
    counted = editor_client.get(url, {"_facets": "True"})
    assert "Scheduled (1)" in counted.text and "Draft (3)" in counted.text


# The editorial calendar


def test_changelist_links_to_the_calendar(editor_client):
    response = editor_client.get(reverse(CHANGELIST))
    assert f'href="{reverse(CALENDAR)}"' in response.text
    # The base admin's own tools stay.
    assert f'href="{reverse(ADD)}"' in response.text


def calendar_cells(response):
    """{day: [titles of its stories]} as the calendar lays them out."""
    return {
        day: [story.title for story in stories]
        for week in response.context["weeks"]
        for day, stories, _more in week
    }


def test_calendar_shows_stories_on_their_day_in_the_site_time_zone(editor_client, settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    today = timezone.localdate()
    tomorrow_early = datetime.combine(today + timedelta(days=1), datetime.min.time())
    # 00:30 in Tokyo is the day before in UTC: the calendar puts it under Tokyo's day.
    ArticleFactory(
        title="Early one",
        published_at=timezone.make_aware(tomorrow_early.replace(minute=30)),
    )
    ArticleFactory(title="Draft one", status="draft", published_at=timezone.now())
    response = editor_client.get(reverse(CALENDAR))
    assert response.status_code == 200
    cells = calendar_cells(response)
    assert len(cells) == 35
    assert cells[today + timedelta(days=1)] == ["Early one"]
    assert "Draft one" not in response.text
    assert "Times are in Asia/Tokyo (GMT+9)." in response.text


def test_calendar_starts_on_this_weeks_monday_and_pages_by_five_weeks(editor_client):
    response = editor_client.get(reverse(CALENDAR), {"start": "2025-06-04"})  # a Wednesday
    assert response.context["first"] == date(2025, 6, 2)
    assert response.context["last"] == date(2025, 7, 6)
    assert f'href="{reverse(CALENDAR)}?start=2025-04-28"' in response.text
    assert f'href="{reverse(CALENDAR)}?start=2025-07-07"' in response.text
    assert '<th scope="col">Monday</th>' in response.text
    assert '<th scope="row">23</th>' in response.text


def test_calendar_links_each_story_to_its_change_form(editor_client):
    story = ArticleFactory(title="Linked", published_at=timezone.now() + timedelta(days=2))
    response = editor_client.get(reverse(CALENDAR))
    change = reverse("admin:news_article_change", args=[story.pk])
    assert f'<a href="{change}">Linked</a>' in response.text


@pytest.mark.parametrize(
    "start", ["yesterday", "2025-02-30", "0001-01-01", "9999-12-31", "x" * 500]
)
def test_calendar_shows_this_week_for_a_start_it_cannot_use(editor_client, start):
    response = editor_client.get(reverse(CALENDAR), {"start": start})
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["first"] == today - timedelta(days=today.weekday())
    assert 'class="errornote"' in response.text


def test_calendar_lists_a_crowded_day_up_to_its_limit_in_one_query(
    editor_client, django_assert_max_num_queries
):
    start = timezone.localdate()
    noon = timezone.make_aware(datetime.combine(start, datetime.min.time()).replace(hour=12))
    author = AuthorFactory()
    Article.objects.bulk_create(
        Article(
            title=f"Story {i:02d}",
            slug=f"story-{i}",
            summary="s",
            body="b",
            author=author,
            status="published",
            published_at=noon + timedelta(minutes=i, days=i % 3),
        )
        for i in range(CALENDAR_PER_DAY * 3 + 30)
    )
    # Session, user, the user's and the group's permissions, then the stories.
    with django_assert_max_num_queries(5):
        response = editor_client.get(reverse(CALENDAR), {"start": start.isoformat()})
    cells = calendar_cells(response)
    assert len(cells[start]) == CALENDAR_PER_DAY
    assert cells[start][0] == "Story 00"
    assert response.text.count("All of ") == 3


def test_calendar_is_for_those_who_may_view_stories(client):
    staff = User.objects.create_user("staff", password="pw", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse(CALENDAR)).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_article"))
    assert client.get(reverse(CALENDAR)).status_code == 200
    client.logout()
    assert client.get(reverse(CALENDAR)).status_code == 302  # to the sign-in page
