"""The visitor's compare list.

The list is a CompareList row found by a random token in a long-lived cookie, with
one CompareItem row per device. Each change runs in one transaction that locks the
list row first, so parallel requests from one browser queue up instead of each
writing back its own stale copy (which is what a list kept in the session dict
would do). The cookie is separate from the session so that logging in or out,
which cycles or flushes the session, keeps the list.
"""

import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.functional import cached_property

from .models import CompareItem, CompareList, Device


class CompareError(Exception):
    """A change that was refused; the message is shown to the visitor as it is."""


@dataclass
class VisitorList:
    """What a page needs to show the visitor's list: devices in order, and notices."""

    token: str | None
    devices: list = field(default_factory=list)
    # "X is no longer available": devices an editor deleted since the last visit.
    removed_names: list = field(default_factory=list)

    @property
    def max(self):
        return settings.COMPARE_MAX

    @cached_property
    def slugs(self):
        return [device.slug for device in self.devices]

    def __contains__(self, device):
        slug = device if isinstance(device, str) else device.slug
        return slug in self.slugs

    def __len__(self):
        return len(self.devices)

    @property
    def is_full(self):
        return len(self.devices) >= self.max

    @property
    def share_key(self):
        """The canonical "a-vs-b" key of this list, or "" under two devices."""
        return canonical_key(self.slugs) if len(self.devices) >= 2 else ""


def canonical_key(slugs):
    """The one URL key for a set of devices: unique slugs, sorted, joined by -vs-."""
    return "-vs-".join(sorted(set(slugs)))


def get_token(request):
    token = request.COOKIES.get(settings.COMPARE_COOKIE_NAME, "")
    # Tokens are ours: 43 URL-safe characters. Anything else is ignored.
    if len(token) == 43 and token.replace("-", "").replace("_", "").isalnum():
        return token
    return None


def new_token():
    return secrets.token_urlsafe(32)


def load(request):
    """The visitor's list, in one query; forgets (and reports) devices deleted since."""
    token = get_token(request)
    if token is None:
        return VisitorList(token=None)
    items = list(
        CompareItem.objects.filter(compare_list__token=token)
        .select_related("device__brand", "device__category")
        .order_by("added_at", "pk")
    )
    removed = [item for item in items if item.device_id is None]
    if removed:
        # Delete by pk: only the visitor whose list held them gets the notice, once.
        CompareItem.objects.filter(pk__in=[i.pk for i in removed]).delete()
    return VisitorList(
        token=token,
        devices=[item.device for item in items if item.device_id is not None],
        removed_names=[item.device_name for item in removed] if removed else [],
    )


def _locked_list(token):
    """Get or create the list row and lock it until the transaction ends."""
    compare_list, _ = CompareList.objects.get_or_create(token=token)
    return CompareList.objects.select_for_update().get(pk=compare_list.pk)


def add(token, device):
    """Add ``device`` at the end of the list. Raises CompareError if the list is full."""
    with transaction.atomic():
        compare_list = _locked_list(token)
        items = compare_list.items.filter(device__isnull=False)
        if items.filter(device=device).exists():
            return False
        if items.count() >= settings.COMPARE_MAX:
            raise CompareError(
                f"Your compare list is full ({settings.COMPARE_MAX} devices). "
                f"Remove one before adding {device.name}."
            )
        try:
            with transaction.atomic():
                CompareItem.objects.create(
                    compare_list=compare_list, device=device, device_name=device.name
                )
        except IntegrityError:
            return False
        compare_list.save(update_fields=["updated_at"])
    return True


def remove(token, device):
    with transaction.atomic():
        compare_list = _locked_list(token)
        deleted, _ = compare_list.items.filter(device=device).delete()
    return bool(deleted)


def clear(token):
    with transaction.atomic():
        compare_list = _locked_list(token)
        compare_list.items.all().delete()


def devices_for_key(slugs):
    """Devices for a shared comparison, in the given order; None if any slug is unknown."""
    devices = {d.slug: d for d in Device.objects.with_specs().filter(slug__in=slugs)}
    if len(devices) != len(set(slugs)):
        return None
    return [devices[slug] for slug in slugs]
