"""Load the built-in instruments (openqi/assessments/builtin/) into every database."""

from django.db import migrations


def load(apps, schema_editor):
    from openqi.assessments.builtin import load_builtin_instruments

    load_builtin_instruments(apps.get_model("assessments", "Instrument"))


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
