"""OpenQI: quality improvement for health and care organisations."""

__version__ = "0.1.0"
