"""The common fields of departments' application forms (申请表字段), shared across items so
that a bundle asks each once (一表申请). Administrators add more in the admin; an item
version lists its form's fields (``FormField``).

(code, label, type, pattern, pattern hint, mask)
"""

from django.db import migrations

KINDS = [
    ("applicant_name", "申请人名称", "text", "", "", ""),
    (
        "credit_code",
        "统一社会信用代码",
        "text",
        r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}",
        "18位统一社会信用代码",
        "credit_code",
    ),
    ("legal_representative", "法定代表人（负责人）", "text", "", "", "name"),
    (
        "id_number",
        "法定代表人（负责人）身份证号",
        "text",
        r"\d{17}[\dXx]",
        "18位身份证号",
        "resident_id",
    ),
    (
        "contact_phone",
        "联系电话",
        "text",
        r"1\d{10}|0\d{2,3}-?\d{7,8}",
        "手机号码或固定电话",
        "mobile",
    ),
    ("premises", "经营场所", "text", "", "", "address"),
    ("employees", "从业人员数", "number", "", "", ""),
    ("business_scope", "经营范围", "text", "", "", ""),
    ("business_type", "主体业态", "text", "", "", ""),
    ("opening_date", "拟开业日期", "date", "", "", ""),
    ("floor_area", "经营场所面积（平方米）", "number", "", "", ""),
    ("drainage_volume", "日排水量（吨）", "number", "", "", ""),
    ("accountant", "财务负责人", "text", "", "", "name"),
]


def seed(apps, schema_editor):
    FormFieldKind = apps.get_model("catalogue", "FormFieldKind")
    for position, (code, label, kind, pattern, hint, mask) in enumerate(KINDS, start=1):
        FormFieldKind.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "type": kind,
                "pattern": pattern,
                "pattern_hint": hint,
                "mask": mask,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0010_form_field_kinds")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
