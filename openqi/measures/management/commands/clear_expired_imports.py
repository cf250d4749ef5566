"""``manage.py clear_expired_imports``: delete uploads left between preview and commit."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from openqi.measures.imports import clear_expired_imports


class Command(BaseCommand):
    help = (
        "Delete data imports that were uploaded but never committed and have "
        "expired (OPENQI_IMPORT_LIFETIME)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = clear_expired_imports()
        self.stdout.write(
            f"Deleted {deleted} expired import{'' if deleted == 1 else 's'}."
        )
