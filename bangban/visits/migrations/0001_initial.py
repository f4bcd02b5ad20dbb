"""The visits area takes over the portal's time slots, appointments and home-visit requests.

State only: the tables stay where they are (``portal_timeslot``, ``portal_appointment``,
``portal_homevisitrequest``, named by ``db_table``), with their rows, indexes and
constraints; portal 0002 then drops the three models from the portal's state. The content
types move with them, so admin permissions and log entries keep pointing at the same rows.
"""

import django.db.models.deletion
from django.db import migrations, models


MODELS = ("timeslot", "appointment", "homevisitrequest")


def _move_content_types(apps, schema_editor, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            ContentType.objects.using(db).filter(app_label=source, model=model).update(
                app_label=target
            )


def content_types_to_visits(apps, schema_editor):
    _move_content_types(apps, schema_editor, "portal", "visits")


def content_types_to_portal(apps, schema_editor):
    _move_content_types(apps, schema_editor, "visits", "portal")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0004_state_resumption_index'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('network', '0001_initial'),
        ('portal', '0001_initial'),
        ('staff', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='TimeSlot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField(verbose_name='日期')),
                        ('start', models.TimeField(verbose_name='开始时间')),
                        ('end', models.TimeField(verbose_name='结束时间')),
                        ('capacity', models.PositiveSmallIntegerField(default=2, verbose_name='可预约人数')),
                        ('booked', models.PositiveSmallIntegerField(default=0, editable=False, verbose_name='已预约人数')),
                        ('site', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='slots', to='network.site', verbose_name='服务机构')),
                    ],
                    options={
                        'verbose_name': '预约时段',
                        'verbose_name_plural': '预约时段',
                        'db_table': 'portal_timeslot',
                        'ordering': ['day', 'start', 'site_id'],
                    },
                ),
                migrations.CreateModel(
                    name='Appointment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.CharField(max_length=40, unique=True, verbose_name='预约编号')),
                        ('name', models.CharField(max_length=50, verbose_name='称呼')),
                        ('mobile_cipher', models.TextField(editable=False)),
                        ('mobile_hash', models.CharField(db_index=True, editable=False, max_length=64)),
                        ('mobile_masked', models.CharField(editable=False, max_length=20, verbose_name='手机号码')),
                        ('purpose', models.CharField(max_length=200, verbose_name='办理事项')),
                        ('status', models.CharField(choices=[('booked', '已预约'), ('cancelled', '已取消'), ('attended', '已到场'), ('missed', '未到场')], default='booked', max_length=10, verbose_name='状态')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='预约时间')),
                        ('cancelled_at', models.DateTimeField(blank=True, null=True, verbose_name='取消时间')),
                        ('case', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='cases.case')),
                        ('slot', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='visits.timeslot', verbose_name='预约时段')),
                    ],
                    options={
                        'verbose_name': '窗口预约',
                        'verbose_name_plural': '窗口预约',
                        'db_table': 'portal_appointment',
                        'ordering': ['slot__day', 'slot__start', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='HomeVisitRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.CharField(max_length=40, unique=True, verbose_name='申请编号')),
                        ('name', models.CharField(max_length=50, verbose_name='称呼')),
                        ('mobile_cipher', models.TextField(editable=False)),
                        ('mobile_hash', models.CharField(db_index=True, editable=False, max_length=64)),
                        ('mobile_masked', models.CharField(editable=False, max_length=20, verbose_name='手机号码')),
                        ('address_cipher', models.TextField(editable=False)),
                        ('address_masked', models.CharField(editable=False, max_length=200, verbose_name='上门地址')),
                        ('is_elderly', models.BooleanField(default=False, verbose_name='老年人')),
                        ('is_disabled', models.BooleanField(default=False, verbose_name='残疾人')),
                        ('needs', models.TextField(verbose_name='需要办理的事情')),
                        ('preferred_times', models.CharField(max_length=200, verbose_name='方便的时间')),
                        ('status', models.CharField(choices=[('requested', '待安排'), ('scheduled', '已安排'), ('done', '已上门'), ('declined', '不予安排'), ('cancelled', '已撤回')], default='requested', max_length=10, verbose_name='状态')),
                        ('scheduled_for', models.DateTimeField(blank=True, null=True, verbose_name='上门时间')),
                        ('reply', models.CharField(blank=True, max_length=300, verbose_name='答复')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='申请时间')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('agent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='staff.staffmember', verbose_name='上门帮办代办员')),
                        ('handled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='staff.staffmember')),
                        ('site', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='network.site', verbose_name='服务机构')),
                    ],
                    options={
                        'verbose_name': '上门服务申请',
                        'verbose_name_plural': '上门服务申请',
                        'db_table': 'portal_homevisitrequest',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['site', 'status'], name='portal_home_site_id_8f2599_idx')],
                    },
                ),
                migrations.AddIndex(
                    model_name='timeslot',
                    index=models.Index(fields=['site', 'day'], name='portal_time_site_id_083f9f_idx'),
                ),
                migrations.AddConstraint(
                    model_name='timeslot',
                    constraint=models.UniqueConstraint(fields=('site', 'day', 'start'), name='portal_slot_unique'),
                ),
                migrations.AddConstraint(
                    model_name='timeslot',
                    constraint=models.CheckConstraint(condition=models.Q(('booked__lte', models.F('capacity'))), name='portal_slot_not_overbooked'),
                ),
                migrations.AddConstraint(
                    model_name='timeslot',
                    constraint=models.CheckConstraint(condition=models.Q(('end__gt', models.F('start'))), name='portal_slot_ends_after'),
                ),
                migrations.AddConstraint(
                    model_name='appointment',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'booked')), fields=('slot', 'mobile_hash'), name='portal_one_booking_per_person_and_slot'),
                ),
            ],
        ),
        migrations.RunPython(content_types_to_visits, content_types_to_portal),
    ]
