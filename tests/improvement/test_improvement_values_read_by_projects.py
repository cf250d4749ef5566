"""The projects app reads the driver diagram and cycles by their stored values
(it sits below the improvement app): those values are the models' own."""

from __future__ import annotations

from django.test import SimpleTestCase

from openqi.improvement.models import DriverNode, PDSACycle
from openqi.projects import progress


class ValuesReadBySuggestedRatingTests(SimpleTestCase):
    def test_the_suggested_rating_names_the_models_values(self) -> None:
        self.assertEqual(progress.PRIMARY_DRIVER, DriverNode.Kind.PRIMARY)
        self.assertEqual(progress.CHANGE_IDEA, DriverNode.Kind.CHANGE_IDEA)
        self.assertEqual(
            set(progress.STUDIED_STAGES),
            {PDSACycle.Stage.STUDY, PDSACycle.Stage.ACT},
        )
        self.assertEqual(progress.ADOPT, PDSACycle.Act.ADOPT)

    def test_the_models_keep_the_tables_of_the_projects_app(self) -> None:
        self.assertEqual(DriverNode._meta.db_table, "projects_drivernode")
        self.assertEqual(PDSACycle._meta.db_table, "projects_pdsacycle")
        self.assertEqual(DriverNode._meta.app_label, "improvement")
