"""Load a fixture's rows only where they are absent: rows already in the database are never touched.

`loaddata` overwrites every row of the fixture, so a goal a person edited in the admin would silently
go back to the plan's text (and its history would not show the revert). `make run` loads the plan
with `load_absent` instead: a row whose primary key exists is skipped, a missing row is inserted.
Like `loaddata`, rows are saved raw (no history record: they are the plan as published), in one
transaction, and PostgreSQL's id sequences are moved past the fixture's explicit keys.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core import serializers
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction


@dataclass
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)
    kept: int = 0

    @property
    def created_total(self) -> int:
        return sum(self.created.values())

    def line(self) -> str:
        if not self.created_total:
            return f"nothing to load: all {self.kept} rows are there (rows already present are never changed)"
        parts = ", ".join(f"{count} {label}" for label, count in sorted(self.created.items()))
        return f"loaded {self.created_total} missing rows ({parts}); kept {self.kept} rows as they are"


def load_absent(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> LoadResult:
    """Insert the fixture's objects whose primary key is not in the database yet."""
    with path.open(encoding="utf-8") as stream:
        objects = list(serializers.deserialize("json", stream, using=using, handle_forward_references=True))
    by_model = defaultdict(list)
    for obj in objects:
        by_model[type(obj.object)].append(obj)

    result = LoadResult()
    connection = connections[using]
    with transaction.atomic(using=using), connection.constraint_checks_disabled():
        touched, saved = [], []
        for model, batch in by_model.items():
            present = set(
                model._base_manager.using(using).filter(pk__in=[obj.object.pk for obj in batch]).values_list("pk", flat=True)
            )
            missing = [obj for obj in batch if obj.object.pk not in present]
            result.kept += len(batch) - len(missing)
            for obj in missing:
                obj.save(using=using)
            saved += missing
            if missing:
                result.created[model._meta.label_lower] = len(missing)
                touched.append(model)
        for obj in saved:
            # References to rows later in the file, as loaddata does.
            if obj.deferred_fields:
                obj.save_deferred_fields(using=using)
        if touched:
            table_names = [model._meta.db_table for model in touched]
            connection.check_constraints(table_names=table_names)
            for sql in connection.ops.sequence_reset_sql(no_style(), touched):
                with connection.cursor() as cursor:
                    cursor.execute(sql)
    return result
