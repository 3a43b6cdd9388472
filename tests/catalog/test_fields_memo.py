"""Spec values take their field from what the process has seen under the current content
version (comparisons.models.WithFields): no join once seen, and an edit shows at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import SpecField

pytestmark = pytest.mark.django_db


def page_queries(client, url):
    """The SQL a page ran, and the page."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries], response


def value_reads(sql):
    """Reads of spec values as rows (ORM or catalog.loading), not the rivals' figures."""
    return [q for q in sql if q.startswith(('SELECT "comparisons_specvalue"', "SELECT v."))]


def field_reads(sql):
    return [q for q in sql if "comparisons_specfield" in q]


def test_the_first_page_reads_the_fields_and_the_next_ones_take_them_as_seen(client, big_catalog):
    first, second = big_catalog["devices"][:2]
    sql, _ = page_queries(client, first.get_absolute_url())
    assert len(value_reads(sql)) == 1 and len(field_reads(sql)) == 1
    sql, response = page_queries(client, second.get_absolute_url())
    assert len(value_reads(sql)) == 1 and not field_reads(sql)
    # The whole sheet, its groups in order, each field once, from the shared fields.
    assert response.text.count('<th scope="row">') == 36
    groups = [f"Group {i}" for i in range(6)]
    assert [response.text.index(f">{name}<") for name in groups] == sorted(
        response.text.index(f">{name}<") for name in groups
    )


def test_fields_not_seen_yet_cost_one_query_for_them_alone(client, big_catalog):
    # The catalog's cards show key specs only: the device page shows 33 fields more.
    client.get(reverse("catalog:device-list"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(big_catalog["devices"][0].get_absolute_url())
    fields = [q["sql"] for q in queries if q["sql"].startswith('SELECT "comparisons_specfield"')]
    assert len(fields) == 1 and " IN (" in fields[0]
    assert response.text.count('<th scope="row">') == 36


def test_an_edited_field_shows_at_the_next_request(client, big_catalog, committed):
    device = big_catalog["devices"][0]
    assert "Spec 7" in client.get(device.get_absolute_url()).text
    with committed():
        SpecField.objects.filter(name="Spec 7").update(name="Screen refresh")
    html = client.get(device.get_absolute_url()).text
    assert "Screen refresh" in html and "Spec 7" not in html


def test_outside_a_request_every_read_joins(big_catalog, django_assert_num_queries):
    from comparisons.models import Device

    with django_assert_num_queries(2):
        device = Device.objects.with_key_specs().get(pk=big_catalog["devices"][0].pk)
        assert [spec.field.name for spec in device.key_specs] == ["Spec 0", "Spec 1", "Spec 2"]
