"""The Editors group: what an editor needs to keep the news and the catalog current."""

EDITORS_GROUP = "Editors"
# (app label, model, actions)
EDITOR_PERMISSIONS = [
    ("news", "article", ["add", "change", "delete", "view"]),
    ("news", "tag", ["add", "change", "delete", "view"]),
    ("news", "author", ["add", "change", "view"]),
    ("catalog", "device", ["add", "change", "view"]),
    ("catalog", "specvalue", ["add", "change", "view"]),
    ("catalog", "brand", ["add", "change", "view"]),
    ("catalog", "category", ["view"]),
    ("catalog", "specgroup", ["view"]),
    ("catalog", "specfield", ["view"]),
]


def editor_permission_codes():
    return {
        (app_label, f"{action}_{model}")
        for app_label, model, actions in EDITOR_PERMISSIONS
        for action in actions
    }


def ensure_editors_group(using="default", **kwargs):
    """Create the Editors group with exactly EDITOR_PERMISSIONS; safe to run again."""
    from django.contrib.auth.models import Group, Permission

    codes = editor_permission_codes()
    wanted = [
        permission
        for permission in Permission.objects.using(using)
        .filter(content_type__app_label__in={app for app, _m, _a in EDITOR_PERMISSIONS})
        .select_related("content_type")
        if (permission.content_type.app_label, permission.codename) in codes
    ]
    group, _ = Group.objects.using(using).get_or_create(name=EDITORS_GROUP)
    group.permissions.set(wanted)
    return group
