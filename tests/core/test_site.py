import pytest
from django.urls import reverse

from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db


def test_healthz_says_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert "Sitemap: http://testserver/sitemap.xml" in response.text
    assert "Disallow: /admin/" in response.text


def test_home_page_renders_with_the_compare_widget(client):
    DeviceFactory(name="Pixel Test")
    response = client.get(reverse("news:home"))
    assert response.status_code == 200
    assert "Your compare list" in response.text
    assert "Pixel Test" in response.text


def test_unknown_url_gets_the_custom_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "find that page" in response.text


def test_pages_carry_a_strict_csp_with_a_nonce(client):
    response = client.get(reverse("news:home"))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.text


def test_post_without_csrf_token_is_refused(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        reverse("comparisons:compare-add"), {"device": "x"}
    )
    assert response.status_code == 403


def test_server_error_page_is_our_own_and_needs_no_context(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert "<script" not in response.content.decode()


def test_favicon_ico_leads_to_our_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
