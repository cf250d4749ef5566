"""Figures computed from an organisation's data, kept in the shared cache until its
data change.

Every change to an organisation's data is on its audit trail (a new event, a change
of members folded into one, bulk writes through ``record_rows``), so a save of an
:class:`~openqi.audit.models.AuditEvent` (connected in ``apps.py``), like a new
stored chart summary (``openqi.measures.summaries``), calls :func:`data_changed`:
once the transaction commits, the organisation gets a new random version token in
the cache (``OPENQI_CACHE_URL``: Redis or the database, shared by every worker and
server). :func:`kept` stores what it computes beside the token it read *before*
computing, and returns a kept value only under the current token, so a value
computed from data older than a commit is never returned after it. Within a
transaction that has changed the organisation's data (and in tests, which run
inside one), values are computed afresh until it ends.

What is kept must depend only on audited data (and on what the key names, such as
today's date); a write that bypasses the services and the trail (a bare
``QuerySet.update()``) is not seen until the next audited change or the timeout.
With ``OPENQI_CACHE_URL=locmem`` each process keeps its own: fine for one process
in development, not for several workers.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

__all__ = ["KEPT_SECONDS", "data_changed", "kept"]

#: Seconds a computed value is kept. A change makes it unreachable at once; this
#: only bounds the space held by keys nobody asks for again.
KEPT_SECONDS = 600

T = TypeVar("T")

_changed_here = threading.local()


def _version_key(organisation_id: int) -> str:
    return f"openqi:data-version:{organisation_id}"


def data_changed(organisation_id: int) -> None:
    """The organisation's data change in the current transaction: values kept for
    it are not used here until it ends, and are unreachable for everyone once it
    commits."""
    if transaction.get_connection().in_atomic_block:
        _dirty().add(organisation_id)
    transaction.on_commit(
        lambda: cache.set(_version_key(organisation_id), uuid.uuid4().hex, timeout=None)
    )


def _dirty() -> set[int]:
    if not hasattr(_changed_here, "ids"):
        _changed_here.ids = set()
    ids: set[int] = _changed_here.ids
    return ids


def _is_changed_here(organisation_id: int) -> bool:
    if not transaction.get_connection().in_atomic_block:
        _dirty().clear()  # any transaction that changed data has ended
        return False
    return organisation_id in _dirty()


def kept(
    organisation_id: int,
    key: str,
    compute: Callable[[], T],
    *,
    seconds: int = KEPT_SECONDS,
) -> T:
    """``compute()``, from the cache when it was kept under the organisation's
    current data version (one round trip to the cache), else computed and kept.

    ``key`` names what is computed and everything else it depends on (a format
    number that a release changing it moves, filters, today's date); the value
    must pickle.
    """
    if _is_changed_here(organisation_id):
        return compute()
    version_key = _version_key(organisation_id)
    # Keys may carry a page's query string: hashed, so any length fits any cache.
    digest = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
    value_key = f"openqi:kept:{organisation_id}:{digest}"
    found = cache.get_many([version_key, value_key])
    version = found.get(version_key)
    stored = found.get(value_key)
    if version is not None and stored is not None and stored[0] == version:
        value: T = stored[1]
        return value
    if version is None:
        # The version is taken before the value is computed, never after.
        cache.add(version_key, uuid.uuid4().hex, timeout=None)
        version = cache.get(version_key)
    value = compute()
    if version is not None:
        cache.set(value_key, (version, value), timeout=seconds)
    return value
