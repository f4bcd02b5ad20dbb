"""The client's termination SMS now names the case number, the 办结（终止）单 issued with
the termination, and that the client may apply again (seed 000 §10.2.5.2, §10.2.6).

Only a row still holding the old default text is updated; a text an administrator
changed is left as it is.
"""

from django.db import migrations

KEY = "client.terminated"
OLD_BODY = (
    "【帮办代办】{{ client_name }}，您的“{{ title }}”（{{ case_number }}）{{ service_type }}服务已终止，"
    "原因：{{ reason }}。已提交的材料请到{{ site_name }}领回。"
)
NEW_BODY = (
    "【帮办代办】{{ client_name }}，您的“{{ title }}”（{{ case_number }}）{{ service_type }}服务"
    "已终止，原因：{{ reason }}。"
    "{% if document %}办结（终止）单号{{ document }}。{% endif %}"
    "已交材料请到{{ site_name }}领回。如仍需办理，可重新申请{{ service_type }}"
    "{% if site_phone %}，咨询电话{{ site_phone }}{% endif %}。"
)


def forwards(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    MessageTemplate.objects.filter(key=KEY, body=OLD_BODY).update(body=NEW_BODY)


def backwards(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    MessageTemplate.objects.filter(key=KEY, body=NEW_BODY).update(body=OLD_BODY)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_case_lapsed_names_the_slip")]

    operations = [migrations.RunPython(forwards, backwards)]
