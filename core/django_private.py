"""The undocumented parts of Django the site relies on, each behind one small function.

Nothing else in the project touches a private Django name: when an upgrade changes one,
tests/core/test_django_private.py fails naming the function here that needs a new body.
"""

from django.core.paginator import Paginator
from django.db import connections, transaction
from django.utils.log import log_response


def set_iterable_class(queryset, iterable_class):
    """Make ``queryset`` yield its rows through ``iterable_class`` (a ModelIterable
    subclass), as values() and values_list() do inside Django. Kept by the clones filter()
    and a prefetch make, which an iterator() override would not be; returns ``queryset``."""
    queryset._iterable_class = iterable_class
    return queryset


def uncapped_num_pages(paginator):
    """What Paginator.num_pages counts for ``paginator``, for a subclass that replaces the
    cached property with a capped one and still needs Django's count."""
    return Paginator.num_pages.func(paginator)


def is_new_file(field_file):
    """Whether ``field_file`` (a model's FileField value) holds a file assigned since the
    instance was loaded and not stored yet: a save() that stores it its own way (checked,
    resized) must do so before Django's pre_save would store it as uploaded."""
    return not field_file._committed


def delete_without_signals(queryset):
    """Delete ``queryset``'s rows in one DELETE and return how many went: no signals, no
    cascades (the caller deletes dependent rows first). Django's delete() loads every row
    to send its signals, too slow for the tens of thousands a generated catalog holds."""
    return queryset._raw_delete(queryset.db)


def check_foreign_keys(using, table_names):
    """Raise IntegrityError now if rows of these tables point at rows that do not exist:
    both databases check foreign keys only at commit, which a request cannot catch. What
    loaddata runs after writing raw rows."""
    connections[using].check_constraints(table_names=table_names)


def log_response_at(level, message, *args, response, request):
    """Log ``response`` once, at ``level``, through Django's request logger. Django logs
    every answer of 400 and above itself as it leaves the handler (5xx as errors) unless it
    was logged already, which its ``log_response`` marks on the response."""
    log_response(message, *args, response=response, request=request, level=level)


def on_commit_queue(using=None):
    """The functions waiting for the commit of the transaction open on ``using``, oldest
    first ([] outside a transaction, where on_commit runs them at once). Django drops those
    queued in a savepoint that rolls back; what is left runs at the commit."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        return []
    return [queued for _savepoints, queued, *_robust in connection.run_on_commit]


def loaded_relation(instance, field):
    """The row ``instance``'s foreign key ``field`` points at, if it is loaded on the
    instance (read with it by select_related, assigned, or read through it once), else
    None. Never a query."""
    return field.get_cached_value(instance, default=None)
