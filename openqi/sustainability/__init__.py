"""Sustainability checks: a project team rates its change on the ten factors of
the NHS Sustainability Model's three groups, in OpenQI's own wording and scoring,
and sees its weakest factors, its score over repeated checks and whether its
measures have held their gain."""
