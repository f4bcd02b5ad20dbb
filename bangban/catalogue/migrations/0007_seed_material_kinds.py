"""The common material kinds (材料种类) checklists share, so a kept material is reused.

Administrators add more in the admin; a checklist entry points to one (``Material.kind``).
``electronic``: the kind is issued as an electronic licence (电子证照), checked by type,
number and issuer against the licence lookup (``bangban.vault.licences``).
"""

from django.db import migrations

KINDS = [
    ("resident_id", "居民身份证", True),
    ("business_licence", "营业执照", True),
    ("property_certificate", "不动产权证书", True),
    ("lease", "租赁合同", False),
    ("floor_plan", "场所平面图", False),
    ("household_register", "居民户口簿", True),
    ("marriage_certificate", "结婚证", True),
    ("food_licence", "食品经营许可证", True),
    ("legal_rep_id", "法定代表人身份证明", False),
    ("power_of_attorney", "授权委托书", False),
]


def seed(apps, schema_editor):
    MaterialKind = apps.get_model("catalogue", "MaterialKind")
    for position, (code, name, electronic) in enumerate(KINDS, start=1):
        MaterialKind.objects.get_or_create(
            code=code, defaults={"name": name, "electronic": electronic, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0006_material_kinds")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
