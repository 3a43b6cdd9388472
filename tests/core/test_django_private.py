"""Each wrapper of core.django_private against the installed Django: after an upgrade that
changes a private name, the failure names the function to fix."""

from contextlib import contextmanager

import django
import pytest
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.db.models.query import ModelIterable
from django.db.models.signals import post_delete, pre_delete
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import cached_property
from django.utils.log import log_response

from catalog.models import Brand, Device
from core.django_private import (
    check_foreign_keys,
    delete_without_signals,
    is_new_file,
    log_response_at,
    on_commit_queue,
    set_iterable_class,
    uncapped_num_pages,
)
from tests.factories import BrandFactory, DeviceFactory


@contextmanager
def wrapper(name):
    """Whatever fails inside (an assert, or Django raising), fail naming ``name``."""
    try:
        yield
    except Exception as error:
        pytest.fail(
            f"core.django_private.{name} no longer works on Django {django.get_version()}: "
            f"{error!r}",
            pytrace=True,
        )


class Marked(ModelIterable):
    def __iter__(self):
        for instance in super().__iter__():
            instance.marked = True
            yield instance


@pytest.mark.django_db
def test_set_iterable_class_is_kept_through_filter_and_a_prefetch():
    brand = BrandFactory()
    DeviceFactory.create_batch(2, brand=brand)
    with wrapper("set_iterable_class"):
        devices = set_iterable_class(Device.objects.all(), Marked)
        assert [getattr(d, "marked", False) for d in devices.filter(brand=brand)] == [True] * 2
        loaded = Brand.objects.prefetch_related(Prefetch("devices", queryset=devices)).get(
            pk=brand.pk
        )
        assert [getattr(d, "marked", False) for d in loaded.devices.all()] == [True] * 2


class Capped(Paginator):
    @cached_property
    def num_pages(self):
        return min(uncapped_num_pages(self), 3)


def test_uncapped_num_pages_counts_as_django_does_under_a_capped_property():
    with wrapper("uncapped_num_pages"):
        assert uncapped_num_pages(Paginator(range(95), 10)) == 10
        assert uncapped_num_pages(Paginator([], 10)) == 1
        assert uncapped_num_pages(Paginator(range(21), 10, orphans=1)) == 2
        capped = Capped(range(95), 10)
        assert capped.num_pages == 3
        assert capped.page(3).has_next() is False


def test_is_new_file_tells_a_file_just_assigned_from_a_stored_one():
    with wrapper("is_new_file"):
        device = Device(image="devices/stored.jpg")
        assert not is_new_file(device.image)
        device.image = ContentFile(b"not stored yet", name="new.jpg")
        assert is_new_file(device.image)
        device.image.save("new.jpg", ContentFile(b"stored now"), save=False)
        assert not is_new_file(device.image)


@pytest.mark.django_db
def test_delete_without_signals_deletes_in_one_statement_and_sends_no_signal(
    django_assert_num_queries,
):
    brands = BrandFactory.create_batch(3)
    sent = []

    def receiver(sender, **kwargs):
        sent.append(sender)

    pre_delete.connect(receiver, sender=Brand)
    post_delete.connect(receiver, sender=Brand)
    try:
        with wrapper("delete_without_signals"), django_assert_num_queries(1):
            count = delete_without_signals(Brand.objects.filter(pk__in=[b.pk for b in brands[:2]]))
    finally:
        pre_delete.disconnect(receiver, sender=Brand)
        post_delete.disconnect(receiver, sender=Brand)
    with wrapper("delete_without_signals"):
        assert count == 2
        assert list(Brand.objects.values_list("pk", flat=True)) == [brands[2].pk]
        assert sent == []


@pytest.mark.django_db
def test_check_foreign_keys_fails_now_on_a_row_pointing_at_nothing():
    device = DeviceFactory()
    table = Device._meta.db_table
    with wrapper("check_foreign_keys"):
        check_foreign_keys("default", [table])
    with transaction.atomic():
        Device.objects.filter(pk=device.pk).update(powered_by_id=999_999)
        with wrapper("check_foreign_keys"), pytest.raises(IntegrityError):
            check_foreign_keys("default", [table])
        transaction.set_rollback(True)


def test_log_response_at_logs_once_and_django_does_not_log_again(caplog):
    request, response = RequestFactory().get("/down/"), HttpResponse(status=503)
    with wrapper("log_response_at"):
        log_response_at("warning", "Down: %s", request.path, response=response, request=request)
        # What Django's handler does with every answer of 400 and above as it leaves.
        log_response("%s: %s", response.reason_phrase, request.path, response=response)
        logged = [(record.levelname, record.getMessage()) for record in caplog.records]
        assert logged == [("WARNING", "Down: /down/")]


class Rollback(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_on_commit_queue_lists_what_waits_for_the_commit_and_not_what_rolled_back():
    def first():
        pass

    def second():
        pass

    with wrapper("on_commit_queue"):
        assert on_commit_queue() == []  # no transaction: on_commit runs a function at once
        with transaction.atomic():
            transaction.on_commit(first)
            with pytest.raises(Rollback), transaction.atomic():
                transaction.on_commit(second)
                assert on_commit_queue() == [first, second]
                raise Rollback
            assert on_commit_queue() == [first]
            with transaction.atomic():
                transaction.on_commit(second)
            assert on_commit_queue() == [first, second]
        assert on_commit_queue() == []
