"""Signing in and permissions: Django's model backend, with what a user may do read along
with the user, in the one query every signed-in request makes, instead of two more on the
first permission check (every admin page makes one)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import OuterRef, StringAgg, Subquery, Value
from django.db.models.functions import Concat

SEPARATOR = " "  # app labels and codenames are identifiers: never a space


def _names(permissions, by):
    """The "app_label.codename" of ``permissions`` (rows of one user, grouped ``by`` the
    column naming them), as one text: a subquery of the user's row."""
    name = Concat("content_type__app_label", Value("."), "codename")
    return Subquery(
        permissions.order_by()
        .values(by)
        .annotate(names=StringAgg(name, Value(SEPARATOR)))
        .values("names")
    )


class OneQueryModelBackend(ModelBackend):
    """Django's ModelBackend, but a user's permissions (their own and their groups') come
    with the user: read by the same query when the session's user is loaded, else (a user
    loaded some other way) in one query, a UNION, on the first check."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.annotate(
            own_permissions=_names(Permission.objects.filter(user=OuterRef("pk")), "user"),
            group_permissions=_names(
                Permission.objects.filter(group__user=OuterRef("pk")), "group__user"
            ),
        )
        user = users.filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        if not user.is_superuser:
            names = f"{user.own_permissions or ''}{SEPARATOR}{user.group_permissions or ''}"
            user._perm_cache = set(names.split())
        return user

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            names = ("content_type__app_label", "codename")
            if user_obj.is_superuser:
                rows = Permission.objects.values_list(*names).order_by()
            else:
                own = Permission.objects.filter(user=user_obj)
                grouped = Permission.objects.filter(group__user=user_obj)
                rows = (
                    own.values_list(*names)
                    .order_by()
                    .union(grouped.values_list(*names).order_by())
                    .order_by()
                )
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in rows}
        return user_obj._perm_cache
