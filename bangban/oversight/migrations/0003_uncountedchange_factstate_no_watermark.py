# The figures job claims the changes not yet counted (UncountedChange, written in the
# change's own transaction) instead of reading case events past a watermark.

import django.db.models.deletion
from django.db import migrations, models


def recount_every_case(apps, schema_editor):
    # Events after the old watermark have no UncountedChange: the first run of the job
    # finds a calendar it has not seen and computes every fact again.
    apps.get_model("oversight", "FactState").objects.update(fingerprint="")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_initial'),
        ('oversight', '0002_rollupdirtyday_rollupstate_dailyfigure'),
    ]

    operations = [
        migrations.RunPython(recount_every_case, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='factstate',
            name='last_event_id',
        ),
        migrations.CreateModel(
            name='UncountedChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.case')),
                ('event', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.caseevent')),
            ],
            options={
                'verbose_name': '待计入统计的变动',
                'verbose_name_plural': '待计入统计的变动',
            },
        ),
    ]
