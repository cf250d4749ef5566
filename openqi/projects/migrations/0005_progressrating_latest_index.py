"""An index for each project's latest rating by the team and by the coach (the
portfolio's rating filter and counts read it once per project), and one for an
organisation's projects by title (every list of them)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0004_driver_diagrams_and_cycles_move_to_improvement"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="progressrating",
            index=models.Index(
                fields=["project", "rated_by", "-rated_on", "-id"],
                name="projects_rating_latest",
            ),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(
                fields=["organisation", "title"], name="projects_org_title"
            ),
        ),
    ]
