"""The case core takes over the portal's delivery choices and material uploads.

State only: the tables stay where they are (``portal_deliverychoice``,
``portal_materialupload``, named by ``db_table``), with their rows; portal 0003 then drops the
two models from the portal's state. The content types move with them, so admin permissions
and log entries keep pointing at the same rows.
"""

import django.db.models.deletion
from django.db import migrations, models


MODELS = ("deliverychoice", "materialupload")


def _move_content_types(apps, schema_editor, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            ContentType.objects.using(db).filter(app_label=source, model=model).update(
                app_label=target
            )


def content_types_to_cases(apps, schema_editor):
    _move_content_types(apps, schema_editor, "portal", "cases")


def content_types_to_portal(apps, schema_editor):
    _move_content_types(apps, schema_editor, "cases", "portal")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0010_audit_seal_and_checkpoints'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('portal', '0002_visits_take_the_bookings'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='DeliveryChoice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('method', models.CharField(choices=[('in_person', '当面交付'), ('post', '邮寄送达'), ('electronic', '电子证照')], max_length=12, verbose_name='领取方式')),
                        ('address_cipher', models.TextField(blank=True, editable=False)),
                        ('address_masked', models.CharField(blank=True, editable=False, max_length=200, verbose_name='邮寄地址')),
                        ('chosen_at', models.DateTimeField(auto_now=True, verbose_name='选择时间')),
                        ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='delivery_choice', to='cases.case')),
                    ],
                    options={
                        'verbose_name': '结果领取方式',
                        'verbose_name_plural': '结果领取方式',
                        'db_table': 'portal_deliverychoice',
                    },
                ),
                migrations.CreateModel(
                    name='MaterialUpload',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('stored_name', models.CharField(max_length=200, verbose_name='存储文件名')),
                        ('kind', models.CharField(max_length=10, verbose_name='文件类型')),
                        ('size', models.PositiveIntegerField(verbose_name='大小（字节）')),
                        ('sha256', models.CharField(max_length=64)),
                        ('uploaded_at', models.DateTimeField(auto_now_add=True, verbose_name='上传时间')),
                        ('material', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='uploads', to='cases.casematerial')),
                    ],
                    options={
                        'verbose_name': '材料上传记录',
                        'verbose_name_plural': '材料上传记录',
                        'db_table': 'portal_materialupload',
                        'ordering': ['-uploaded_at', '-id'],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_to_cases, content_types_to_portal),
    ]
