from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    """The portfolio: every project filtered and counted, and the priority × unit
    matrix. It has no models of its own; it reads projects, their improvement
    work and their measures."""

    name = "openqi.portfolio"
    label = "portfolio"
