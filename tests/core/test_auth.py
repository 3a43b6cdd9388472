"""What a user may do is read in one query (core.auth), and is what Django's own model
backend reads: their own permissions and their groups', none for an inactive user, all for
a superuser."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission, User

from core.auth import OneQueryModelBackend
from core.editors import EDITORS_GROUP

pytestmark = pytest.mark.django_db


def fresh(user):
    return User.objects.get(pk=user.pk)  # no permissions cached on it


@pytest.fixture
def editor():
    user = User.objects.create_user("ed", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    user.user_permissions.add(Permission.objects.get(codename="view_logentry"))
    return user


def test_own_and_group_permissions_in_one_query(editor, django_assert_num_queries):
    user = fresh(editor)
    with django_assert_num_queries(1):
        perms = OneQueryModelBackend().get_all_permissions(user)
        assert user.has_perm("admin.view_logentry")  # the user's own
        assert user.has_perm("catalog.change_device")  # the group's
        assert not user.has_perm("auth.change_user")
    assert perms == ModelBackend().get_all_permissions(fresh(editor))


def test_an_inactive_user_may_do_nothing_and_a_superuser_everything(editor):
    editor.is_active = False
    editor.save()
    assert OneQueryModelBackend().get_all_permissions(fresh(editor)) == set()
    boss = User.objects.create_superuser("boss")
    assert len(OneQueryModelBackend().get_all_permissions(boss)) == Permission.objects.count()


def test_a_permission_given_to_the_user_counts_and_taken_away_is_gone_next_request(client, editor):
    client.force_login(editor)
    rankings = "/admin/catalog/ranking/add/"
    assert client.get(rankings).status_code == 403  # a chief editor's, not an editor's
    editor.user_permissions.add(*Permission.objects.filter(codename__endswith="_ranking"))
    assert client.get(rankings).status_code == 200
    editor.user_permissions.clear()
    assert client.get(rankings).status_code == 403


def test_the_signed_in_user_comes_with_their_permissions(editor, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = OneQueryModelBackend().get_user(editor.pk)
        assert user.has_perm("admin.view_logentry")
        assert user.has_perm("catalog.change_device")
        assert not user.has_perm("auth.change_user")
    assert user.get_all_permissions() == ModelBackend().get_all_permissions(fresh(editor))
    nobody = User.objects.create_user("nobody", is_staff=True)
    assert OneQueryModelBackend().get_user(nobody.pk).get_all_permissions() == set()
    editor.is_active = False
    editor.save()
    assert OneQueryModelBackend().get_user(editor.pk) is None
    assert OneQueryModelBackend().get_user(999_999) is None


def test_an_admin_page_reads_the_permissions_with_the_user(editor_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert editor_client.get("/admin/catalog/device/").status_code == 200
    reading = [q["sql"] for q in queries.captured_queries if "auth_permission" in q["sql"]]
    assert len(reading) == 1
    assert reading[0].startswith('SELECT "auth_user"."id"')
