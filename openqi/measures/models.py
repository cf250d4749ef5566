"""Measures for improvement: definitions, data points, phase breaks and annotations.

The chart itself is computed by :mod:`openqi.spc` (see ``charts.py``). What is
stored of it: the automatic choice of chart (``Measure.chart_type`` while
``is_chart_automatic``), which follows the data, and each measure's
:class:`ChartSummary`, computed when the data change (``summaries.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from openqi.core.versioning import VersionedModel
from openqi.organisations.models import Organisation, OrganisationOwnedQuerySet, Unit
from openqi.spc.charts import MIN_FIX_AFTER


class Measure(VersionedModel):
    class Kind(models.TextChoices):
        COUNT = "count", "Count of events"
        PROPORTION = "proportion", "Proportion (numerator of denominator)"
        RATE = "rate", "Rate (events per exposure)"
        CONTINUOUS = "continuous", "Continuous (a measurement)"
        TIME_BETWEEN = "time_between", "Time between rare events"
        CASES_BETWEEN = "cases_between", "Cases between rare events"

    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"

    class Improvement(models.TextChoices):
        INCREASE = "increase", "Higher is better"
        DECREASE = "decrease", "Lower is better"
        NEITHER = "neither", "Neither"

    class ChartType(models.TextChoices):
        XMR = "xmr", "XmR (individuals) chart"
        RUN = "run", "Run chart"
        P = "p", "p chart"
        PP = "pp", "Laney p′ chart"
        U = "u", "u chart"
        UP = "up", "Laney u′ chart"
        C = "c", "c chart"
        G = "g", "g chart"
        T = "t", "t chart"

    #: The chart a kind of measure gets unless someone chooses otherwise. XmR for
    #: counts and continuous measures (Making Data Count's default); attribute
    #: charts where a denominator or rare events call for them.
    DEFAULT_CHART = {
        Kind.COUNT: ChartType.XMR,
        Kind.PROPORTION: ChartType.P,
        Kind.RATE: ChartType.U,
        Kind.CONTINUOUS: ChartType.XMR,
        Kind.TIME_BETWEEN: ChartType.T,
        Kind.CASES_BETWEEN: ChartType.G,
    }
    #: Kinds whose data points carry a denominator.
    HAS_DENOMINATOR = frozenset({Kind.PROPORTION, Kind.RATE})
    #: Laney's version of each attribute chart, for over-dispersed data.
    LANEY_CHART = {ChartType.P: ChartType.PP, ChartType.U: ChartType.UP}
    #: The most points ``fix_after`` may name (any whole number from the engine's
    #: minimum of 12 works; this bounds the input).
    MAX_FIX_AFTER = 10_000

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="measures"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="measures"
    )
    #: The person who answers for the measure: told of its new signals and of
    #: data due, and who writes its commentary in the board report.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_measures",
    )
    name = models.CharField(max_length=200)
    definition = models.TextField("operational definition", blank=True)
    kind = models.CharField(max_length=14, choices=Kind.choices, default=Kind.COUNT)
    numerator_definition = models.TextField(blank=True)
    denominator_definition = models.TextField(blank=True)
    unit_label = models.CharField("unit of measure", max_length=60, blank=True)
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    improvement = models.CharField(
        max_length=8, choices=Improvement.choices, default=Improvement.NEITHER
    )
    target = models.FloatField(null=True, blank=True)
    chart_type = models.CharField(max_length=4, choices=ChartType.choices, blank=True)
    #: The chart was left at "the usual chart for this kind of measure": XmR, p,
    #: u, t or g by kind, and p′ or u′ for a proportion or rate whose data are
    #: over-dispersed (``charts.refresh_chart_choice``). False once someone
    #: chooses a chart.
    is_chart_automatic = models.BooleanField(default=False, db_default=False)
    #: Freeze each phase's centre line and limits on its first N points; later
    #: points are judged against them (None: every point of the phase counts).
    fix_after = models.PositiveSmallIntegerField(
        "fix the limits after", null=True, blank=True
    )
    #: Shown values are multiplied by this (100 for a percentage, 1,000 for a rate per 1,000).
    multiplier = models.FloatField(default=1.0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="measure_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.chart_type:
            # Left empty: the usual chart for the kind, and it follows the data.
            self.chart_type = self.DEFAULT_CHART[self.Kind(self.kind)]
            self.is_chart_automatic = True
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.multiplier is not None and self.multiplier <= 0:
            raise ValidationError(
                {"multiplier": "The multiplier must be greater than zero."}
            )
        unit = self.unit if self.unit_id else None
        if unit is not None and unit.organisation_id != self.organisation_id:
            raise ValidationError({"unit": "Choose a unit of this organisation."})
        if self.fix_after is not None and not (
            MIN_FIX_AFTER <= self.fix_after <= self.MAX_FIX_AFTER
        ):
            raise ValidationError(
                {
                    "fix_after": f"Fix the limits after {MIN_FIX_AFTER} to "
                    f"{self.MAX_FIX_AFTER:,} points: fewer than {MIN_FIX_AFTER} "
                    "make limits too uncertain to judge later points by."
                }
            )
        needs = self.chart_type in ("p", "pp", "u", "up")
        if needs and self.kind not in self.HAS_DENOMINATOR:
            raise ValidationError(
                {
                    "chart_type": "p and u charts need a denominator: choose a proportion or rate measure."
                }
            )

    def has_denominator(self) -> bool:
        return self.kind in self.HAS_DENOMINATOR

    def laney_chart(self) -> str | None:
        """The p′ or u′ chart this measure's p or u chart would become (None otherwise)."""
        laney = {str(p): str(pp) for p, pp in self.LANEY_CHART.items()}
        return laney.get(self.chart_type)

    def audit_organisation(self) -> Organisation:
        return self.organisation


class MeasureChildQuerySet(OrganisationOwnedQuerySet):
    organisation_path = "measure__organisation"


class _MeasureChild(models.Model):
    """A row that belongs to a measure, and through it to the measure's organisation."""

    measure: models.ForeignKey[Measure, Measure]

    objects = MeasureChildQuerySet.as_manager()

    class Meta:
        abstract = True

    def audit_organisation(self) -> Organisation:
        return self.measure.organisation


class DataPoint(_MeasureChild, VersionedModel):
    """One period's value. For proportions and rates ``value`` is the numerator."""

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="points"
    )
    #: The first day of the period (the day, the Monday of the week, the 1st of the month).
    period = models.DateField()
    value = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    #: Plotted, but left out of the centre line, the limits and the rules.
    is_excluded = models.BooleanField(default=False, db_default=False)
    exclusion_reason = models.CharField(
        max_length=200, blank=True, default="", db_default=""
    )

    class Meta:
        ordering = ["period"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "period"], name="one_point_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure}: {self.period.isoformat()}"

    def has_history(self) -> bool:
        """Whether it was changed after it was entered (corrected, left out or noted)."""
        return self.version > 1

    def clean(self) -> None:
        if self.is_excluded and not self.exclusion_reason.strip():
            raise ValidationError(
                {
                    "exclusion_reason": "Say why the point is left out, so readers of "
                    "the chart know."
                }
            )
        if not self.is_excluded:
            self.exclusion_reason = ""


class PhaseBreak(_MeasureChild):
    """A new phase of the chart starts at ``period``: a change was made and sustained."""

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="phase_breaks"
    )
    period = models.DateField()
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["period"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "period"], name="one_break_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure}: new phase from {self.period.isoformat()}"

    def has_history(self) -> bool:
        """Whether the phase it starts has data points."""
        return self.measure.points.filter(period__gte=self.period).exists()


class Annotation(_MeasureChild):
    """A note on a point of the chart ("new triage process started")."""

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="annotations"
    )
    period = models.DateField()
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["period"]

    def __str__(self) -> str:
        return f"{self.measure}: {self.text[:40]}"

    def has_history(self) -> bool:
        """Never: a note is all there is to it (the audit trail keeps its text)."""
        return False


class ImportJob(models.Model):
    """An upload on its way to a measure's data, between the preview and the commit.

    Held in the database, not on one server's disk, so any app server can show
    the preview or commit it. The heavy work is never done in a web request:
    the request marks the job ``queued`` (to read and check) or ``commit`` (to
    save), and ``manage.py run_imports`` (or, in development, a thread started
    after the response) claims it and works on it. ``stage`` runs queued →
    reading → checking → ready, or stops at ``choose`` (the columns need
    naming) or ``failed`` (the file cannot be read); then commit → saving →
    saved. ``claim`` names the runner holding the job and ``claimed_at`` when
    it last reported, so a job left running by a killed runner is taken again;
    ``notice`` is a message for the person, shown once (a commit refused).
    ``next_filter`` holds the rows to keep asked for ({"column", "value"}) until
    a runner has checked them again, or with "error" when no row holds them. With a filter, ``records`` (and ``total``) hold only
    the rows whose ``filter_column`` holds ``filter_value``, of the
    ``read_rows`` in the file. Jobs expire (``expires_at``); ``manage.py
    clear_expired_imports`` and every new upload delete expired ones.
    """

    token = models.CharField(max_length=64, unique=True)
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="import_jobs"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(max_length=255)
    suffix = models.CharField(max_length=10)
    #: The file as uploaded: the column filter reads it again.
    content = models.BinaryField()
    stage = models.CharField(max_length=10, default="waiting")
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    read_rows = models.PositiveIntegerField(default=0)
    names = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    #: [row number, period cell, value cell, denominator cell] per row kept.
    records = models.JSONField(default=list)
    #: [row number, period (ISO), value, denominator] per good row.
    rows = models.JSONField(default=list)
    #: [row number, column, message] per problem.
    errors = models.JSONField(default=list)
    message = models.TextField(blank=True)
    filter_column = models.CharField(max_length=200, blank=True)
    filter_value = models.CharField(max_length=200, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    notice = models.TextField(blank=True)
    next_filter = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    objects = MeasureChildQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.measure_id}: {self.filename} ({self.stage})"


class ChartSummary(models.Model):
    """What the overview, the portfolio, the project pages and the measures list
    show of a measure's chart, computed when its data, phases, exclusions or
    options change (:mod:`openqi.measures.summaries`), never when a page is read.

    ``engine`` names the code that computed it: ``manage.py
    rebuild_chart_summaries`` recomputes every summary after an upgrade, and a
    page that meets a summary from another engine (or older than the measure's
    ``updated_at``) has it computed again once.
    """

    measure = models.OneToOneField(
        Measure,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="chart_summary",
    )
    #: The chart drawn (``Measure.ChartType``); "" when no chart can be drawn.
    chart = models.CharField(max_length=4, blank=True)
    #: Making Data Count icons of the latest point and the latest phase's limits
    #: ("" for none).
    variation = models.CharField(max_length=20, blank=True)
    assurance = models.CharField(max_length=20, blank=True)
    #: The latest plotted value and its period label (2024-03 or 2024-03-04).
    latest_value = models.FloatField(null=True, blank=True)
    latest_period = models.CharField(max_length=10, blank=True)
    #: The latest signal in words, with the target's verdict; or why there is no chart.
    phrase = models.TextField(blank=True)
    #: The overview's group (concern, inconsistent, common_cause, improvement,
    #: no_data) and the order within it.
    group = models.CharField(max_length=14, default="no_data")
    rank = models.PositiveSmallIntegerField(default=0)
    #: Points with a value (left-out points included).
    n_points = models.PositiveIntegerField(default=0)
    #: The chart's warnings (too few points, over-dispersion, …).
    warnings = models.JSONField(default=list)
    #: The last points: [period label, plotted value or null, signal] each.
    sparkline = models.JSONField(default=list)
    #: What the suggested progress rating reads (see ``summaries.progress_facts``).
    progress = models.JSONField(default=dict)
    computed_at = models.DateTimeField()
    engine = models.CharField(max_length=60)
    #: A long measure's chart facts (each phase's centre and limits' figures,
    #: runs analysis and warnings: ``openqi.spc.stream.ChartFacts.to_json``), so
    #: that its export streams the chart without holding a phase in memory;
    #: None for a measure of fewer than ``export_series.KEEP_FACTS_FROM`` points.
    stream_facts = models.JSONField(null=True, blank=True)

    objects = MeasureChildQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.measure_id}: {self.variation or self.phrase}"

    @property
    def has_chart(self) -> bool:
        return bool(self.chart)
