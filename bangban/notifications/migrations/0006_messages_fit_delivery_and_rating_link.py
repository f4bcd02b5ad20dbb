"""Messages that fit the client (issue 14, item 3).

The suspension, resumption-reminder, termination and completion SMS send the client to the
nearest site (the one that received the application) and say how the result reaches them
(post, electronic licence or in person); the evaluation invitation lists the levels the
centre offers and carries the client's personal link (``cases.evaluation_links``).

Only a row still holding the old default text is updated, to today's default; a text an
administrator changed is left as it is (its variables are still all available).
"""

from django.db import migrations

OLD_BODIES = {
    "client.suspended": (
        "【帮办代办】{{ client_name }}，您委托代办的“{{ title }}”（{{ case_number }}）已中止，原因：{{ reason }}。请于{{ resumption_due_on }}前到{{ site_name }}办理续办手续，逾期视为服务终止。"
    ),
    "client.resumption_reminder": (
        "【帮办代办】{{ client_name }}，您中止的代办事项“{{ title }}”（{{ case_number }}）续办期限为{{ resumption_due_on }}，请及时联系{{ site_name }}办理续办；逾期视为服务终止，需重新提出代办委托。"
    ),
    "client.terminated": (
        "【帮办代办】{{ client_name }}，您的“{{ title }}”（{{ case_number }}）{{ service_type }}服务已终止，原因：{{ reason }}。{% if document %}办结（终止）单号{{ document }}。{% endif %}已交材料请到{{ site_name }}领回。如仍需办理，可重新申请{{ service_type }}{% if site_phone %}，咨询电话{{ site_phone }}{% endif %}。"
    ),
    "client.completed": (
        "【帮办代办】{{ client_name }}，您的“{{ title }}”（{{ case_number }}）已办结。请到{{ site_name }}{% if site_address %}（{{ site_address }}）{% endif %}领取结果，也可选择邮寄送达或电子证照{% if opening_hours %}；办公时间{{ opening_hours }}{% endif %}。"
    ),
    "client.evaluation_invite": (
        "【帮办代办】{{ client_name }}，感谢您使用帮办代办服务。请对本次服务（办件编号{{ case_number }}）作出评价（很满意、较满意、一般、不满意），可在平台“办件查询”中评价，或告知{{ site_name }}工作人员。"
    ),
}


def forwards(apps, schema_editor):
    from bangban.notifications.catalog import DEFAULTS

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, old in OLD_BODIES.items():
        MessageTemplate.objects.filter(key=key, body=old).update(body=DEFAULTS[key].body)


def backwards(apps, schema_editor):
    from bangban.notifications.catalog import DEFAULTS

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, old in OLD_BODIES.items():
        MessageTemplate.objects.filter(key=key, body=DEFAULTS[key].body).update(body=old)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0005_client_details_corrected")]

    operations = [migrations.RunPython(forwards, backwards)]
