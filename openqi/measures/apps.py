from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class MeasuresConfig(AppConfig):
    name = "openqi.measures"
    label = "measures"

    def ready(self) -> None:
        from openqi.audit.services import register

        from .models import Annotation, DataPoint, Measure, PhaseBreak

        for model in (Measure, DataPoint, PhaseBreak, Annotation):
            register(model)
        # A change to a measure's data or phases moves the measure's updated_at
        # (a chart summary older than it is computed again when read) ...
        for model in (DataPoint, PhaseBreak):
            post_save.connect(
                _touch_measure, sender=model, dispatch_uid=f"touch-{model.__name__}"
            )
            post_delete.connect(
                _touch_measure, sender=model, dispatch_uid=f"untouch-{model.__name__}"
            )
        # ... and recomputes its chart summary (openqi.measures.summaries), as
        # does a change to the measure's options.
        for model in (Measure, DataPoint, PhaseBreak):
            post_save.connect(
                _chart_changed, sender=model, dispatch_uid=f"chart-{model.__name__}"
            )
        for model in (DataPoint, PhaseBreak):
            post_delete.connect(
                _chart_changed, sender=model, dispatch_uid=f"unchart-{model.__name__}"
            )


def _touch_measure(sender: type, instance: Any, raw: bool = False, **_: Any) -> None:
    if raw:
        return
    from django.utils import timezone

    from .models import Measure

    Measure.objects.filter(pk=instance.measure_id).update(updated_at=timezone.now())


def _chart_changed(
    sender: type, instance: Any, raw: bool = False, origin: Any = None, **_: Any
) -> None:
    if raw:
        return
    from django.db.models import Model, QuerySet

    from . import summaries
    from .models import Measure

    if sender is Measure:
        summaries.measure_changed(instance.pk)
        return
    # A point or break deleted with its measure (or organisation): nothing to compute.
    deleted_from = (
        origin.model
        if isinstance(origin, QuerySet)
        else type(origin)
        if isinstance(origin, Model)
        else sender
    )
    if deleted_from is sender:
        summaries.measure_changed(instance.measure_id)
