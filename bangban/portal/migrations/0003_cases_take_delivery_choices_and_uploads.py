"""Delivery choices and material uploads leave the portal for the case core.

State only: the tables and their rows stay (cases 0011 names them with ``db_table``).
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0011_take_delivery_choices_and_uploads'),
        ('portal', '0002_visits_take_the_bookings'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='materialupload',
                    name='material',
                ),
                migrations.DeleteModel(
                    name='DeliveryChoice',
                ),
                migrations.DeleteModel(
                    name='MaterialUpload',
                ),
            ],
        ),
    ]
