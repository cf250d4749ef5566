"""Benchmark measures, their participants and reported values."""

from __future__ import annotations
