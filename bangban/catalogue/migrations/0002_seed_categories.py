"""The three item categories of seed 000 §9 and appendix A: 投资建设、企业开办、民生事务."""

from django.db import migrations

CATEGORIES = [
    ("investment_construction", "投资建设", 10),
    ("business_startup", "企业开办", 20),
    ("livelihood", "民生事务", 30),
]


def seed(apps, schema_editor):
    ItemCategory = apps.get_model("catalogue", "ItemCategory")
    for code, name, position in CATEGORIES:
        ItemCategory.objects.get_or_create(code=code, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
