"""Time slots, appointments and home-visit requests leave the portal for the visits area.

State only: the tables and their rows stay (visits 0001 names them with ``db_table``).
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0001_initial'),
        ('visits', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='homevisitrequest',
                    name='agent',
                ),
                migrations.RemoveField(
                    model_name='homevisitrequest',
                    name='handled_by',
                ),
                migrations.RemoveField(
                    model_name='homevisitrequest',
                    name='site',
                ),
                migrations.RemoveField(
                    model_name='timeslot',
                    name='site',
                ),
                migrations.DeleteModel(
                    name='Appointment',
                ),
                migrations.DeleteModel(
                    name='HomeVisitRequest',
                ),
                migrations.DeleteModel(
                    name='TimeSlot',
                ),
            ],
        ),
    ]
