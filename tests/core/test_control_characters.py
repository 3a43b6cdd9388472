"""Text a visitor sends is checked once, before any view: a control character (NUL and the
like) in a parameter's name or value is a 400, never a 500 (PostgreSQL refuses NUL)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse, QueryDict
from django.test import Client
from django.urls import reverse

from core.middleware import RefuseControlCharactersMiddleware
from news.models import Article
from tests.factories import DeviceFactory
from tests.news.test_story_images import story_data

pytestmark = pytest.mark.django_db


def assert_refused(response):
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "control character" in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/devices/?q=%00",
        "/search/?q=a%01b",
        "/compare/find/?q=%00",
        "/devices/?q=phone%7F",
        "/devices/?%00=1",
        "/news/?page=1%1B",
    ],
)
def test_a_control_character_in_a_query_is_a_bad_request(client, url):
    assert_refused(client.get(url))


def test_nul_posted_to_the_compare_list_is_a_bad_request(client):
    DeviceFactory()
    assert_refused(client.post(reverse("comparisons:compare-add"), {"device": "\x00"}))
    assert_refused(client.post(reverse("comparisons:compare-remove"), {"device\x00": "x"}))


def test_a_cookieless_post_with_nul_is_a_bad_request_not_a_csrf_failure():
    client = Client(enforce_csrf_checks=True)
    assert_refused(client.post(reverse("comparisons:compare-add"), {"device": "a\x00b"}))


def test_a_control_character_in_the_query_of_a_post_is_a_bad_request(client):
    assert_refused(client.post(reverse("comparisons:compare-add") + "?next=%00", {}))


def test_tabs_and_line_breaks_pass(client):
    assert client.get("/search/", {"q": "a\tb\r\nc"}).status_code == 200


def test_an_uploaded_file_full_of_nul_bytes_is_not_read_as_text(client):
    device = DeviceFactory()
    upload = SimpleUploadedFile("raw.bin", b"\x00\x01\x7f" * 100)
    response = client.post(
        reverse("comparisons:compare-add"), {"device": device.slug, "attachment": upload}
    )
    assert response.status_code != 400


def test_a_multi_line_story_saves_from_the_admin(admin_client):
    body = "First paragraph.\r\n\r\nSecond\tparagraph."
    response = admin_client.post(
        reverse("admin:news_article_add"), story_data(body=body, summary="One\r\nTwo")
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert "Second\tparagraph." in article.body
    assert "\n" in article.summary


def test_a_lone_surrogate_is_refused(rf):
    # Django decodes invalid UTF-8 in a query as U+FFFD; a surrogate can still come from a
    # decoded form body or a server that hands over text.
    request = rf.get("/")
    request.GET = QueryDict(mutable=True)
    request.GET["q"] = "a\ud800b"
    middleware = RefuseControlCharactersMiddleware(lambda request: HttpResponse("view"))
    assert_refused(middleware(request))
    request.GET["q"] = "plain text, accents é and emoji 📱"
    assert middleware(request).text == "view"
