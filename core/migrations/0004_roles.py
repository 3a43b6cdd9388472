from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

from core.editors import apply_roles


def create_roles(apps, schema_editor):
    using = schema_editor.connection.alias
    # Django makes permissions only after the whole migrate; the roles need them now.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
    apply_roles(apps, using)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_editorial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        # The roles grant permissions on these apps' models.
        ("catalog", "0002_category_kind_specfield_role"),
        ("comparisons", "0008_catalog_models_moved"),
        ("news", "0005_devices_from_catalog"),
    ]

    # Backwards, the groups stay: users may belong to them.
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
