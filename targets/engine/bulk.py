"""Set-based inserts for the supervision run: COPY on PostgreSQL, bulk_create elsewhere.

    insert(model, fields, rows, ignore_conflicts=True)
    insert(model, fields, rows, unique_fields=[...], update_fields=[...])   # an upsert
    among(queryset, field, values)   # querysets for field IN values

``fields`` are attribute names (``item_id``, not ``item``); each row is a sequence of their values,
JSONField values as Python objects, where dates are written as ISO text and Decimals as their exact
text (json_default: the encoder's C loop meets them, instead of a Python pass over every value).
Fields left out get their model default.

On PostgreSQL the rows are streamed with COPY into a temporary table and moved into the table with
one INSERT … SELECT … ON CONFLICT (``fresh=True``: straight into the table, for a caller that holds
a lock under which no row can conflict), so a conflict is settled by the table's unique constraint (a
concurrent or repeated run inserts nothing twice) and the statement count does not depend on the
number of rows. bulk_create binds every value in Python, which cost about 80 µs per row of a
30-column Finding; COPY formats the rows in the binary driver. An upsert leaves rows whose values
did not change untouched, so a re-run writes nothing it does not have to.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence

from django.db import connection, connections, models
from django.db.models import QuerySet

BATCH = 2_000


def json_default(value):
    """What json.dumps writes for the values it does not know (dates, Decimals and friends)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)  # Decimal keeps its exact text


def dumps(value) -> str:
    return json.dumps(value, default=json_default)


def insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    ignore_conflicts: bool = False,
    unique_fields: Sequence[str] = (),
    update_fields: Sequence[str] = (),
    fresh: bool = False,
) -> None:
    if connection.vendor == "postgresql":
        copy_insert(
            model,
            fields,
            rows,
            ignore_conflicts=ignore_conflicts,
            unique_fields=unique_fields,
            update_fields=update_fields,
            fresh=fresh,
        )
        return
    json_positions = [i for i, name in enumerate(fields) if isinstance(model._meta.get_field(name), models.JSONField)]
    if json_positions:
        rows = (as_json_values(row, json_positions) for row in rows)
    model.objects.bulk_create(
        [model(**dict(zip(fields, row, strict=True))) for row in rows],
        batch_size=BATCH,
        ignore_conflicts=ignore_conflicts,
        update_conflicts=bool(update_fields),
        unique_fields=unique_fields or None,
        update_fields=update_fields or None,
    )


def as_json_values(row: Sequence, positions: list[int]) -> list:
    """The row with its JSON values as plain JSON types (for bulk_create's encoder)."""
    row = list(row)
    for i in positions:
        row[i] = json.loads(dumps(row[i]))
    return row


def copy_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    ignore_conflicts: bool = False,
    unique_fields: Sequence[str] = (),
    update_fields: Sequence[str] = (),
    fresh: bool = False,
) -> None:
    meta = model._meta
    qn = connection.ops.quote_name
    by_attname = {f.attname: f for f in meta.concrete_fields}
    given = [by_attname[name] for name in fields]
    rest = [f for f in meta.concrete_fields if not f.primary_key and f.attname not in fields]
    table, load = qn(meta.db_table), qn(f"duban_load_{meta.db_table}")
    columns = ", ".join(qn(f.column) for f in given)
    # The defaults of the fields left out, cast to the column type (an untyped NULL would be text).
    constants = [f.get_db_prep_save(f.get_default(), connection) for f in rest]
    target = ", ".join([columns, *(qn(f.column) for f in rest)])
    source = ", ".join([columns, *(f"CAST(%s AS {f.db_type(connection)})" for f in rest)])

    if update_fields:
        conflict_on = ", ".join(qn(by_attname[name].column) for name in unique_fields)
        updated = [qn(by_attname[name].column) for name in update_fields]
        conflict = (
            f"ON CONFLICT ({conflict_on}) DO UPDATE SET "
            + ", ".join(f"{c} = EXCLUDED.{c}" for c in updated)
            + f" WHERE ({', '.join(f't.{c}' for c in updated)}) IS DISTINCT FROM ({', '.join(f'EXCLUDED.{c}' for c in updated)})"
        )
    elif ignore_conflicts:
        conflict = "ON CONFLICT DO NOTHING"
    else:
        conflict = ""

    json_positions = [i for i, f in enumerate(given) if isinstance(f, models.JSONField)]
    # Straight into the table when the caller says nothing can conflict, and only when no field is
    # left out: Django keeps the defaults in Python, so a COPY into the table would not apply them.
    direct = fresh and not rest
    with connection.cursor() as cursor:
        if not direct:
            cursor.execute(f"CREATE TEMPORARY TABLE {load} ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA")
        # The raw driver's COPY, its errors raised as Django's (IntegrityError, …) like any statement's.
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {table if direct else load} ({columns}) FROM STDIN") as copy,
        ):
            write = copy.write_row
            if json_positions:
                for row in rows:
                    row = list(row)
                    for i in json_positions:
                        row[i] = dumps(row[i])
                    write(row)
            else:
                for row in rows:
                    write(row)
        if not direct:
            cursor.execute(f"INSERT INTO {table} AS t ({target}) SELECT {source} FROM {load} {conflict}", constants)
            cursor.execute(f"DROP TABLE {load}")


def among(queryset: QuerySet, field: str, values: Sequence) -> Iterator[QuerySet]:
    """The queryset restricted to ``field`` IN ``values``, split into as few querysets as the database allows.

    PostgreSQL: one query, the values as one array parameter (``= ANY(%s)``). A list of 2,000
    placeholders cost more to build and quote in Python than the query took to run. Elsewhere:
    batches of BATCH values (SQLite's limit on variables).
    """
    if not values:
        return
    values = list(values)
    if connections[queryset.db].vendor == "postgresql":
        meta = queryset.model._meta
        target = meta.pk if field == "pk" else meta.get_field(field)
        qn = connections[queryset.db].ops.quote_name
        yield queryset.extra(where=[f"{qn(meta.db_table)}.{qn(target.column)} = ANY(%s)"], params=[values])
        return
    for start in range(0, len(values), BATCH):
        yield queryset.filter(**{f"{field}__in": values[start : start + BATCH]})


def insert_children(model, objs: list, *, reason: str, user=None, batch_size: int = 1000) -> None:
    """bulk_create for a multi-table child of TrackedItem (Target, projects.Project), with history.

    Django refuses to bulk_create a multi-table child; PostgreSQL and SQLite ≥ 3.35 return the pks of
    a bulk insert, so the parents are bulk-created, their pks copied onto the children, and the child
    rows inserted with one executemany per batch.
    """
    if not objs:
        return
    parent_model = model._meta.pk.remote_field.model  # the trackeditem_ptr's target
    parent_fields = [f for f in parent_model._meta.concrete_fields if not f.primary_key]
    parents = [parent_model(**{f.attname: getattr(obj, f.attname) for f in parent_fields}) for obj in objs]
    parent_model.objects.bulk_create(parents, batch_size=batch_size)
    for obj, parent in zip(objs, parents, strict=True):
        obj.id = obj.trackeditem_ptr_id = parent.pk
        obj.created_at, obj.updated_at = parent.created_at, parent.updated_at
        obj._state.adding, obj._state.db = False, parent._state.db
    columns = list(model._meta.local_concrete_fields)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table), ", ".join(quote(c.column) for c in columns), ", ".join(["%s"] * len(columns))
    )
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            chunk = objs[start : start + batch_size]
            cursor.executemany(sql, [[c.get_db_prep_save(getattr(o, c.attname), connection) for c in columns] for o in chunk])
    model.history.bulk_history_create(objs, batch_size=batch_size, default_user=user, default_change_reason=reason)
