"""Who may do what in the benchmark app (predicates of openqi.organisations.permissions).

Every member reads the benchmarks their organisation may see (its own, and its
system's); the QI team and administrators of the owning organisation define them,
add participants and import values; anyone but a viewer reports their own
organisation's values (the object rule is ``services.may_report``)."""

from __future__ import annotations

from openqi.organisations.permissions import define, is_member, is_qi, may_change_work

VIEW_BENCHMARKS = define(
    "benchmark.view",
    is_member,
    refused="Only members of this organisation can see its benchmarks.",
)
CHANGE_BENCHMARK = define(
    "benchmark.change",
    is_qi,
    refused="Only the QI team or an administrator of this organisation can do this.",
)
REPORT_VALUE = define(
    "benchmark.report_value",
    may_change_work,
    refused="A viewer cannot report values.",
)
