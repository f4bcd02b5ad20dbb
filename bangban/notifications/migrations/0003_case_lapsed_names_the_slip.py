"""The system now issues the 办结（终止）单 when a resumption period lapses: the notice to
the handling agent names it instead of asking for one to be issued.

Only a row still holding the old default text is updated; a text an administrator
changed is left as it is.
"""

from django.db import migrations

KEY = "staff.case_lapsed"
OLD_BODY = (
    "办件{{ case_number }}（“{{ title }}”）续办期限（{{ resumption_due_on }}）届满，"
    "已由系统自动终止。请向服务对象退还材料并出具办结（终止）单。"
)
NEW_BODY = (
    "办件{{ case_number }}（“{{ title }}”）续办期限（{{ resumption_due_on }}）届满，"
    "已由系统自动终止并出具办结（终止）单{{ document }}。"
    "请通知服务对象领回材料，并将该单交服务对象留存。"
)


def forwards(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    MessageTemplate.objects.filter(key=KEY, body=OLD_BODY).update(body=NEW_BODY)


def backwards(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    MessageTemplate.objects.filter(key=KEY, body=NEW_BODY).update(body=OLD_BODY)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_seed_templates")]

    operations = [migrations.RunPython(forwards, backwards)]
