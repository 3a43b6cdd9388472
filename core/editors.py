"""The newsroom's roles: what each group may do in the admin.

Each role is a table of (app label, model, actions) rows plus custom permissions (those of
core.Editorial). Migration core 0004 creates the groups, and every migrate sets them back to
exactly this table (core.db.after_migrate), so a permission given to a group by hand lasts
until the next deploy: change the table instead.
"""

from dataclasses import dataclass

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

EVERYTHING = ("add", "change", "delete", "view")
VIEW = ("view",)


@dataclass(frozen=True)
class Role:
    models: tuple = ()  # (app label, model, actions)
    custom: tuple = ()  # (app label, codename)

    def plus(self, models=(), custom=()):
        """This role and more: a senior role is built on the one below it."""
        return Role(self.models + tuple(models), self.custom + tuple(custom))

    def permissions(self):
        """{(app label, codename)} of every permission the role holds."""
        from_models = {
            (app_label, f"{action}_{model}")
            for app_label, model, actions in self.models
            for action in actions
        }
        return from_models | set(self.custom)


EDITORS_GROUP = "Editors"
CHIEF_EDITORS_GROUP = "Chief editors"

# The daily job: stories with their images, tags, devices with their values and photos, and
# brands; the spec schema is read-only, since changing it changes every device's sheet.
EDITORS = Role(
    models=(
        ("news", "article", EVERYTHING),
        ("news", "storyimage", EVERYTHING),
        ("news", "tag", EVERYTHING),
        # Bylines point at authors (PROTECT): removing one is a chief editor's call.
        ("news", "author", ("add", "change", "view")),
        ("catalog", "device", EVERYTHING),
        ("catalog", "specvalue", EVERYTHING),
        ("catalog", "devicephoto", EVERYTHING),
        ("catalog", "brand", EVERYTHING),
        ("catalog", "category", VIEW),
        ("catalog", "specgroup", VIEW),
        ("catalog", "specfield", VIEW),
    ),
)
CHIEF_EDITORS = EDITORS.plus(
    models=(
        ("catalog", "category", EVERYTHING),
        ("catalog", "specgroup", EVERYTHING),
        ("catalog", "specfield", EVERYTHING),
        ("catalog", "ranking", EVERYTHING),
        ("comparisons", "comparisoncount", VIEW),
        ("news", "author", EVERYTHING),
    ),
    custom=(
        ("core", "import_catalog"),
        ("core", "restore_from_trash"),
        ("core", "delete_for_good"),
    ),
)
ROLES = {EDITORS_GROUP: EDITORS, CHIEF_EDITORS_GROUP: CHIEF_EDITORS}


def apply_roles(apps=global_apps, using=DEFAULT_DB_ALIAS):
    """Create each role's group and give it exactly the role's permissions (of those that
    exist); safe to run again. ``apps`` is a migration's historical apps or the project's.
    Returns {group name: group}."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = set().union(*(role.permissions() for role in ROLES.values()))
    found = {
        (permission.content_type.app_label, permission.codename): permission
        for permission in Permission.objects.using(using)
        .filter(codename__in={codename for _app, codename in wanted})
        .select_related("content_type")
    }
    groups = {}
    for name, role in ROLES.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set([found[key] for key in role.permissions() if key in found])
        groups[name] = group
    return groups
