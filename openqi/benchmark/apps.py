from django.apps import AppConfig


class BenchmarkConfig(AppConfig):
    name = "openqi.benchmark"
    label = "benchmark"

    def ready(self) -> None:
        from openqi.audit.services import register

        from .models import Benchmark, Participant, Value

        for model in (Benchmark, Participant, Value):
            register(model)
