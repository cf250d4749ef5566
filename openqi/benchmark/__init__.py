"""Benchmarking: a measure defined once (by a system for its members, or by an
organisation for its own units, or from a national file), reported by each participant,
shown as a funnel plot of the latest period and SPC per participant side by side."""
