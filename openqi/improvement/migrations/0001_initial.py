"""The driver diagram and PDSA cycle models, taken over from the projects app.

The tables stay as they were (``projects_drivernode``, ``projects_pdsacycle``,
named in each model's ``Meta.db_table``), so the models are created in the
migration state only. The rows that name the models by app are moved too: the
content types (which permissions point at) and the audit trail's model labels,
so a record's history stays readable.
"""

import django.db.models.deletion
from django.db import migrations, models


MOVED = ("DriverNode", "PDSACycle")


def _relabel(apps, schema_editor, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    for name in MOVED:
        ContentType.objects.filter(app_label=old, model=name.lower()).update(
            app_label=new
        )
        AuditEvent.objects.filter(model=f"{old}.{name}").update(model=f"{new}.{name}")


def move_to_improvement(apps, schema_editor) -> None:
    _relabel(apps, schema_editor, "projects", "improvement")


def move_back_to_projects(apps, schema_editor) -> None:
    _relabel(apps, schema_editor, "improvement", "projects")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("projects", "0004_driver_diagrams_and_cycles_move_to_improvement"),
        ("audit", "0002_sign_in_events"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="DriverNode",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "version",
                            models.PositiveIntegerField(
                                db_default=1,
                                default=1,
                                editable=False,
                                help_text="Goes up by one on every save; a save that carries an older one is refused.",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("primary", "Primary driver"),
                                    ("secondary", "Secondary driver"),
                                    ("change_idea", "Change idea"),
                                ],
                                max_length=11,
                            ),
                        ),
                        ("text", models.CharField(max_length=300)),
                        ("position", models.PositiveIntegerField(default=0)),
                        (
                            "parent",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="children",
                                to="improvement.drivernode",
                            ),
                        ),
                        (
                            "project",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="driver_nodes",
                                to="projects.project",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "projects_drivernode",
                        "ordering": ["position", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="PDSACycle",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "version",
                            models.PositiveIntegerField(
                                db_default=1,
                                default=1,
                                editable=False,
                                help_text="Goes up by one on every save; a save that carries an older one is refused.",
                            ),
                        ),
                        ("title", models.CharField(max_length=200)),
                        (
                            "plan",
                            models.TextField(
                                verbose_name="plan: what we will test, who, where, when"
                            ),
                        ),
                        (
                            "prediction",
                            models.TextField(
                                verbose_name="prediction: what we expect to happen"
                            ),
                        ),
                        (
                            "do",
                            models.TextField(
                                blank=True,
                                verbose_name="do: what happened when we ran the test",
                            ),
                        ),
                        (
                            "study",
                            models.TextField(
                                blank=True,
                                verbose_name="study: results against the prediction",
                            ),
                        ),
                        (
                            "act",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("adopt", "Adopt"),
                                    ("adapt", "Adapt"),
                                    ("abandon", "Abandon"),
                                ],
                                max_length=7,
                            ),
                        ),
                        (
                            "act_notes",
                            models.TextField(
                                blank=True, verbose_name="act: what we will do next"
                            ),
                        ),
                        (
                            "stage",
                            models.CharField(
                                choices=[
                                    ("plan", "Planning"),
                                    ("do", "Doing"),
                                    ("study", "Studying"),
                                    ("act", "Decided"),
                                ],
                                default="plan",
                                max_length=5,
                            ),
                        ),
                        ("start_date", models.DateField(blank=True, null=True)),
                        ("end_date", models.DateField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "change_idea",
                            models.ForeignKey(
                                limit_choices_to={"kind": "change_idea"},
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="cycles",
                                to="improvement.drivernode",
                            ),
                        ),
                        (
                            "previous",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="next_cycle",
                                to="improvement.pdsacycle",
                            ),
                        ),
                        (
                            "project",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="cycles",
                                to="projects.project",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "PDSA cycle",
                        "db_table": "projects_pdsacycle",
                        "ordering": ["start_date", "pk"],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_to_improvement, move_back_to_projects),
    ]
