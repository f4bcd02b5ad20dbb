"""Seed the editable message templates with the catalogue's Chinese defaults.

Adds the keys that are missing and never overwrites what an administrator changed, so a
later migration can call ``seed`` again to add new kinds of message.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from bangban.notifications.catalog import DEFAULTS

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    existing = set(MessageTemplate.objects.values_list("key", flat=True))
    MessageTemplate.objects.bulk_create(
        MessageTemplate(key=spec.key, subject=spec.subject, body=spec.body)
        for key, spec in DEFAULTS.items()
        if key not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
