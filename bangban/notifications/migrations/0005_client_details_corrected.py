"""A new kind of client SMS, 手机号码或地址已更正 (``client.details_corrected``), and the
number a message goes to when it is not the client's registered mobile (``to_cipher``:
the old number, told of a mobile correction).

The template row is seeded like every other (``0002_seed_templates.seed``: adds the keys
that are missing, never overwrites an administrator's text).
"""

import importlib

from django.db import migrations, models


def seed(apps, schema_editor):
    importlib.import_module("bangban.notifications.migrations.0002_seed_templates").seed(
        apps, schema_editor
    )


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0004_terminated_names_the_slip'),
    ]

    operations = [
        migrations.AddField(
            model_name='message',
            name='to_cipher',
            field=models.TextField(blank=True, editable=False, verbose_name='发往号码（密文）'),
        ),
        migrations.AlterField(
            model_name='message',
            name='template_key',
            field=models.CharField(choices=[('client.received', '申请已收到'), ('client.refused', '不予受理告知'), ('client.one_time_notice', '一次性告知（需补正材料）'), ('client.supplement_reminder', '补正提醒'), ('client.accepted', '受理通知（含办结时限）'), ('client.progress', '办理进展'), ('client.suspended', '中止通知（含续办期限）'), ('client.resumption_reminder', '续办期限提醒'), ('client.terminated', '终止通知'), ('client.completed', '办结通知（领取方式）'), ('client.delivered', '结果交付（含邮寄单号）'), ('client.evaluation_invite', '评价邀请'), ('client.complaint_reply', '投诉或差评答复'), ('client.appointment_confirmed', '预约确认'), ('client.appointment_reminder', '预约提醒'), ('client.details_corrected', '手机号码或地址已更正'), ('staff.new_case', '新办件'), ('staff.relay_in', '移交待接收'), ('staff.relay_returned', '移交被退回'), ('staff.assigned', '分派办件'), ('staff.supplemented', '服务对象已补正'), ('staff.expedite', '促办'), ('staff.expedite_reply', '促办答复'), ('staff.deadline_warning', '临近到期'), ('staff.overdue', '已超期'), ('staff.case_lapsed', '续办期限届满自动终止'), ('staff.consultation_due', '咨询答复到期'), ('staff.rectification_due', '整改到期'), ('staff.calendar_missing', '节假日安排未录入'), ('staff.digest', '每日汇总')], max_length=60, verbose_name='消息类型'),
        ),
        migrations.AlterField(
            model_name='messagetemplate',
            name='key',
            field=models.CharField(choices=[('client.received', '申请已收到'), ('client.refused', '不予受理告知'), ('client.one_time_notice', '一次性告知（需补正材料）'), ('client.supplement_reminder', '补正提醒'), ('client.accepted', '受理通知（含办结时限）'), ('client.progress', '办理进展'), ('client.suspended', '中止通知（含续办期限）'), ('client.resumption_reminder', '续办期限提醒'), ('client.terminated', '终止通知'), ('client.completed', '办结通知（领取方式）'), ('client.delivered', '结果交付（含邮寄单号）'), ('client.evaluation_invite', '评价邀请'), ('client.complaint_reply', '投诉或差评答复'), ('client.appointment_confirmed', '预约确认'), ('client.appointment_reminder', '预约提醒'), ('client.details_corrected', '手机号码或地址已更正'), ('staff.new_case', '新办件'), ('staff.relay_in', '移交待接收'), ('staff.relay_returned', '移交被退回'), ('staff.assigned', '分派办件'), ('staff.supplemented', '服务对象已补正'), ('staff.expedite', '促办'), ('staff.expedite_reply', '促办答复'), ('staff.deadline_warning', '临近到期'), ('staff.overdue', '已超期'), ('staff.case_lapsed', '续办期限届满自动终止'), ('staff.consultation_due', '咨询答复到期'), ('staff.rectification_due', '整改到期'), ('staff.calendar_missing', '节假日安排未录入'), ('staff.digest', '每日汇总')], max_length=60, unique=True, verbose_name='消息类型'),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
