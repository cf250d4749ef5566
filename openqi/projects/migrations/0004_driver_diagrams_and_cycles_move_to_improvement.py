"""The driver diagram and PDSA cycle models move to the improvement app.

State only: the tables (``projects_drivernode``, ``projects_pdsacycle``) stay
where they are and keep their rows; ``improvement.0001_initial`` takes the models
over with the same tables and renames their content types.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0003_optimistic_locking_version"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="PDSACycle"),
                migrations.DeleteModel(name="DriverNode"),
            ],
            database_operations=[],
        ),
    ]
