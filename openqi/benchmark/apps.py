from django.apps import AppConfig


class BenchmarkConfig(AppConfig):
    name = "openqi.benchmark"
    label = "benchmark"
