"""Rivals of a device with neither a price nor a date: the newest devices of its category,
undated ones last, the same on every database."""

import datetime

import pytest

from comparisons.rivals import RIVAL_CANDIDATES, rivals
from tests.factories import CategoryFactory, DeviceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def category():
    return CategoryFactory(name="Gadgets")


def unknown(category, name):
    return DeviceFactory(name=name, category=category, launch_price=None, released=None)


def dated(category, year):
    released = datetime.date(year, 6, 1)
    return DeviceFactory(
        name=f"Dated {year}", category=category, launch_price=None, released=released
    )


def test_newest_dated_devices_are_the_candidates_before_any_undated_one(category):
    device = unknown(category, "Mystery")
    for year in range(2010, 2020):
        dated(category, year)
    # Undated names sort first: only the order of dates keeps them out.
    for letter in "EDCBA":
        unknown(category, f"Aardvark {letter}")
    # Ten dated: the newest RIVAL_CANDIDATES are the candidates; all are as far from a
    # device with no price, date or figures, so the rivals are the first by name.
    assert RIVAL_CANDIDATES == 8
    names = [rival.name for rival in rivals(device)]
    assert names == ["Dated 2012", "Dated 2013", "Dated 2014", "Dated 2015", "Dated 2016"]


def test_undated_devices_fill_in_by_name_after_the_dated_ones(category):
    device = unknown(category, "Mystery")
    for year in (2017, 2018, 2019):
        dated(category, year)
    for letter in "HGFEDCBA":
        unknown(category, f"Undated {letter}")
    names = [rival.name for rival in rivals(device, limit=RIVAL_CANDIDATES)]
    assert names == [
        "Dated 2017",
        "Dated 2018",
        "Dated 2019",
        *(f"Undated {letter}" for letter in "ABCDE"),
    ]
