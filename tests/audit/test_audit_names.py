"""The trail names related rows with only the columns listed in NAME_FIELDS: each
list must hold every column the model's str() reads (a missing one would cost a
query for each row named)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models

from openqi.audit.views import NAME_FIELDS
from tests.base import BaseTestCase


def _sample(field: models.Field[Any, Any], text: str) -> Any:
    if isinstance(field, models.IntegerField):
        return 1  # a journey step's number must be one of the six
    return text


class NameFieldsTests(BaseTestCase):
    def test_str_reads_only_the_listed_columns(self) -> None:
        # Blank text too: "full_name or email" reads the e-mail only then.
        for text in ("Sample", ""):
            for label, columns in NAME_FIELDS.items():
                with self.subTest(label, text=text):
                    model = apps.get_model(label)
                    fields = [model._meta.get_field(name) for name in columns]
                    # A row as .only(*columns) loads it: every other column deferred.
                    row = model.from_db(
                        "default",
                        [model._meta.pk.attname, *(f.attname for f in fields)],
                        [1, *(_sample(f, text) for f in fields)],
                    )
                    with self.assertNumQueries(0):
                        str(row)

    def test_the_listed_models_exist(self) -> None:
        for label in NAME_FIELDS:
            with self.subTest(label):
                self.assertIsNotNone(apps.get_model(label))
