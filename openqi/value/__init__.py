"""Valuing improvement: each project's expected and realised benefits in six
domains, the organisation's investment by year, and the programme's return."""
