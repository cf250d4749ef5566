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
        # A change to a measure's data or phases moves the measure's updated_at,
        # which keys every cached view of its chart.
        for model in (DataPoint, PhaseBreak):
            post_save.connect(
                _touch_measure, sender=model, dispatch_uid=f"touch-{model.__name__}"
            )
            post_delete.connect(
                _touch_measure, sender=model, dispatch_uid=f"untouch-{model.__name__}"
            )


def _touch_measure(sender: type, instance: Any, raw: bool = False, **_: Any) -> None:
    if raw:
        return
    from django.utils import timezone

    from .models import Measure

    Measure.objects.filter(pk=instance.measure_id).update(updated_at=timezone.now())
