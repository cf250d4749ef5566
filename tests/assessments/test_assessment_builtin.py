"""The built-in instruments: valid, complete, in every database, loaded idempotently;
and importing and exporting instrument definitions."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from openqi.assessments.builtin import builtin_definitions, load_builtin_instruments
from openqi.assessments.definition import DefinitionError, parse_definition
from openqi.assessments.instruments import (
    MAX_DEFINITION_BYTES,
    export_filename,
    export_instrument,
    import_instrument,
)
from openqi.assessments.models import Instrument, RespondentGroup
from openqi.assessments.scoring import section_scores
from openqi.core.categories import BarrierCategory, EnablerCategory
from tests.assessments.test_assessment_definition import valid
from tests.factories import make_organisation

BUILTIN_KEYS = ["barriers-scan", "learning-climate-pulse", "organisational-readiness"]


def _builtin(key):
    return next(d for d in builtin_definitions() if d.key == key)


def test_the_builtins_validate():
    assert sorted(d.key for d in builtin_definitions()) == BUILTIN_KEYS


def test_readiness_covers_the_four_enablers_for_every_level():
    readiness = _builtin("organisational-readiness")
    assert [(s.tag_kind, s.tag) for s in readiness.sections] == [
        ("enabler", value) for value in EnablerCategory.values
    ]
    for section in readiness.sections:
        for group in RespondentGroup.values:
            assert any(item.is_asked_of(group) for item in section.items), (
                section.key,
                group,
            )
        scales = {readiness.scales[item.scale].type for item in section.items}
        assert scales == {"likert", "levels"}, section.key
    assert readiness.scales["agree5"].points == 5


def test_every_group_can_score_every_readiness_section():
    readiness = _builtin("organisational-readiness")
    for group in RespondentGroup.values:
        answers = {
            item.key: readiness.scales[item.scale].choices[-1][0]
            for item in readiness.items
            if item.is_asked_of(group)
        }
        scores = section_scores(readiness, answers, group)
        assert all(score is not None for score in scores.values()), group


def test_barriers_scan_covers_the_seven_categories():
    scan = _builtin("barriers-scan")
    assert [(s.tag_kind, s.tag) for s in scan.sections] == [
        ("barrier", value) for value in BarrierCategory.values
    ]
    assert {scan.scales[item.scale].type for item in scan.items} == {
        "likert",
        "yes_partly_no",
    }


def test_pulse_is_short_with_some_reverse_items():
    pulse = _builtin("learning-climate-pulse")
    assert [s.tag for s in pulse.sections] == [
        "Psychological safety",
        "Time for reflection",
        "Teamwork",
    ]
    assert len(pulse.items) == 9
    assert 0 < sum(item.reverse for item in pulse.items) < 9


@pytest.mark.parametrize("key", BUILTIN_KEYS)
def test_builtin_bands_cover_the_range(key):
    definition = _builtin(key)
    assert definition.bands[0].min == 0 and definition.bands[-1].max == 100


class BuiltinInstrumentTests(TestCase):
    def test_every_database_has_the_builtins(self):
        # Loaded by migration 0002_builtin_instruments.
        builtins = Instrument.objects.filter(organisation__isnull=True)
        assert sorted(builtins.values_list("key", flat=True)) == BUILTIN_KEYS
        readiness = builtins.get(key="organisational-readiness")
        assert readiness.is_builtin
        assert readiness.name == "Organisational readiness for improvement"
        assert parse_definition(readiness.definition) == _builtin(
            "organisational-readiness"
        )

    def test_loading_again_changes_nothing(self):
        before = {
            i.pk: i.definition
            for i in Instrument.objects.filter(organisation__isnull=True)
        }
        loaded = load_builtin_instruments()
        load_builtin_instruments()
        assert sorted(i.pk for i in loaded) == sorted(before)
        assert Instrument.objects.filter(organisation__isnull=True).count() == 3
        for instrument in Instrument.objects.filter(organisation__isnull=True):
            assert instrument.definition == before[instrument.pk]

    def test_loading_restores_a_changed_builtin(self):
        pulse = Instrument.objects.get(
            organisation__isnull=True, key="learning-climate-pulse"
        )
        pulse.name = "Renamed"
        pulse.definition = {}
        pulse.save()
        load_builtin_instruments()
        pulse.refresh_from_db()
        assert pulse.name == "Team learning climate pulse"
        assert parse_definition(pulse.definition).key == "learning-climate-pulse"

    def test_loading_recreates_a_deleted_builtin(self):
        Instrument.objects.filter(key="barriers-scan").delete()
        load_builtin_instruments()
        assert Instrument.objects.filter(
            organisation__isnull=True, key="barriers-scan"
        ).exists()

    def test_builtins_are_available_to_every_organisation(self):
        org = make_organisation(slug="eastbrook")
        own = import_instrument(org, json.dumps(valid()))
        other = make_organisation(slug="westholm")
        assert set(
            Instrument.objects.available_to(org).values_list("key", flat=True)
        ) == {
            *BUILTIN_KEYS,
            own.key,
        }
        assert own.key not in Instrument.objects.available_to(other).values_list(
            "key", flat=True
        )


class ImportExportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = make_organisation(slug="eastbrook")

    def test_import_creates_the_organisations_instrument(self):
        instrument = import_instrument(self.org, json.dumps(valid()))
        assert instrument.organisation == self.org
        assert (instrument.key, instrument.version, instrument.name) == (
            "test-instrument",
            "1",
            "Test instrument",
        )
        assert instrument.description == "For the tests."
        assert instrument.definition == parse_definition(valid()).to_dict()

    def test_an_uploaded_file_is_imported(self):
        upload = SimpleUploadedFile(
            "mine.json", json.dumps(valid()).encode(), "application/json"
        )
        assert import_instrument(self.org, upload).key == "test-instrument"

    def test_export_then_import_gives_the_same_definition(self):
        original = import_instrument(self.org, json.dumps(valid()))
        text = export_instrument(original)
        assert text.endswith("}\n")
        data = json.loads(text)
        data["version"] = "2"
        again = import_instrument(self.org, json.dumps(data))
        assert parse_definition(again.definition) == parse_definition(
            {**original.definition, "version": "2"}
        )
        assert export_filename(again) == "test-instrument-2.json"

    def test_a_builtin_exports_as_its_own_definition(self):
        pulse = Instrument.objects.get(
            organisation__isnull=True, key="learning-climate-pulse"
        )
        assert parse_definition(export_instrument(pulse)) == _builtin(
            "learning-climate-pulse"
        )

    def test_an_invalid_definition_is_refused_with_every_error(self):
        data = valid()
        data["key"] = ""
        data["sections"][0]["items"][0]["scale"] = "likert9"
        with self.assertRaises(DefinitionError) as raised:
            import_instrument(self.org, json.dumps(data))
        assert raised.exception.errors == [
            "key: 'key' is required; add it as non-empty text",
            "sections[0].items[0].scale: 'likert9' is not a scale defined in scales; "
            "define it or use one of likert5, stages, ynp",
        ]
        assert not Instrument.objects.filter(organisation=self.org).exists()

    def test_text_that_is_not_json_is_refused(self):
        with self.assertRaisesMessage(DefinitionError, "not valid JSON at line 1"):
            import_instrument(self.org, "key: readiness")

    def test_a_builtin_key_is_refused(self):
        data = valid()
        data["key"] = "barriers-scan"
        with self.assertRaisesMessage(
            DefinitionError, "key: 'barriers-scan' is the key of a built-in instrument"
        ):
            import_instrument(self.org, json.dumps(data))

    def test_the_same_key_and_version_twice_is_refused(self):
        import_instrument(self.org, json.dumps(valid()))
        with self.assertRaisesMessage(
            DefinitionError,
            "version: 'test-instrument' version '1' is already loaded; change the version",
        ):
            import_instrument(self.org, json.dumps(valid()))
        other = make_organisation(slug="westholm")
        assert import_instrument(other, json.dumps(valid())).organisation == other

    def test_an_oversized_file_is_refused_unread(self):
        upload = SimpleUploadedFile("big.json", b" " * (MAX_DEFINITION_BYTES + 10))
        with self.assertRaisesMessage(DefinitionError, "the file is larger than 1 MB"):
            import_instrument(self.org, upload)
