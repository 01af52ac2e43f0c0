"""Satchel's JDBC store on PostgreSQL (store-jdbc), joined from Python through psycopg2 (Debian:
python3-psycopg2): one row per session, a change merged by one UPDATE, the Java store's own statement.
See docs/format.md, "PostgreSQL"."""
import json
import re
import threading
from types import MappingProxyType

from ._document import MAX_LONG, Record, SessionStoreError, UnreadableEntry, checked_value, is_valid_id

#: The Java store's default table.
DEFAULT_TABLE = "satchel_sessions"
#: The longest principal the table holds (its column is varchar(512)).
MAX_PRINCIPAL_CHARS = 512
_TABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_COLUMNS = ("randval, created_ms, last_access_ms, idle_timeout_ms, deadline_ms, principal, version, "
            "format_version, attributes::text")
# The Java store's merge (store-jdbc's SqlDialect.mergeAssignments and PostgresDialect): the same rules as
# ChangeSet.apply_to, on the row as it is when the statement takes its lock.
_ACCESS = "GREATEST(last_access_ms, %(access)s::bigint)"
_IDLE = "COALESCE(%(idle)s::bigint, idle_timeout_ms)"
_DEADLINE = "CASE WHEN %(deadline_changed)s::boolean THEN %(deadline)s::bigint ELSE deadline_ms END"
_MERGE = ("UPDATE {t} SET\n"
          "    attributes = (attributes - %(removed)s::text[]) || %(set)s::jsonb,\n"
          "    last_access_ms = " + _ACCESS + ",\n"
          "    idle_timeout_ms = " + _IDLE + ",\n"
          "    deadline_ms = " + _DEADLINE + ",\n"
          "    principal = CASE WHEN %(principal_changed)s::boolean THEN %(principal)s ELSE principal END,\n"
          "    expires_at_ms = LEAST(CASE WHEN " + _IDLE + " > 9223372036854775807 - " + _ACCESS
          + " THEN 9223372036854775807 ELSE " + _ACCESS + " + " + _IDLE + " END, COALESCE(" + _DEADLINE
          + ", 9223372036854775807)),\n"
          "    version = version + 1\n"
          "WHERE id = %(id)s AND format_version = 1 AND expires_at_ms > %(access)s::bigint"
          " AND jsonb_typeof(attributes) = 'object'\n"
          "RETURNING " + _COLUMNS + ", expires_at_ms")


class PostgresStore:
    """Sessions in the PostgreSQL table of Satchel's Java JDBC store (its DDL is store-jdbc's
    ``postgresql.sql``; this store does not create it). ``dsn`` is a libpq connection string or URI. One
    connection per thread, in autocommit: every operation is one statement (a merge that finds the row
    changed under it is run again). Thread-safe."""

    can_change_principal = True

    def __init__(self, dsn, *, table=DEFAULT_TABLE):
        try:
            import psycopg2
        except ImportError:
            raise ImportError("PostgresStore needs psycopg2: install python3-psycopg2 (Debian)") from None
        if not _TABLE.fullmatch(table):
            raise ValueError("table must be a plain SQL name of letters, digits and underscores")
        self._psycopg2 = psycopg2
        self._dsn = dsn
        t = '"%s"' % table
        self._select = "SELECT " + _COLUMNS + " FROM " + t + " WHERE id = %(id)s"
        self._insert = ("INSERT INTO " + t + " (id, randval, created_ms, last_access_ms, idle_timeout_ms, deadline_ms, "
                        "expires_at_ms, principal, version, format_version, attributes) VALUES (%(id)s, %(randval)s, "
                        "%(created)s, %(access)s, %(idle)s, %(deadline)s, %(expires_at)s, %(principal)s, %(version)s, 1, "
                        "%(set)s::jsonb) ON CONFLICT (id) DO NOTHING")
        self._merge = _MERGE.format(t=t)
        self._classify = ("SELECT format_version, expires_at_ms, jsonb_typeof(attributes) = 'object' FROM " + t
                          + " WHERE id = %(id)s")
        self._delete_expired = ("DELETE FROM " + t + " WHERE id = %(id)s AND format_version = 1"
                                " AND expires_at_ms <= %(access)s")
        self._delete_ended = "DELETE FROM " + t + " WHERE id = %(id)s AND version = %(version)s"
        self._delete = "DELETE FROM " + t + " WHERE id = %(id)s"
        self._local = threading.local()

    # ------------------------------------------------------------------------------------------- the store

    def load(self, sid):
        row = self._one(self._select, {"id": sid})
        return None if row is None else _record(sid, row)

    def create(self, record):
        _check_principal(record.principal)
        for name in record.attrs:
            _check_name(name)
        return self._count(self._insert, {
            "id": record.id, "randval": record.randval, "created": record.created, "access": record.last_access,
            "idle": record.idle_timeout_ms, "deadline": record.deadline, "expires_at": min(record.expires_at(), MAX_LONG),
            "principal": record.principal, "version": record.version, "set": _column(record.attrs)}) == 1

    def apply(self, c):
        if c.principal_changed:
            _check_principal(c.principal)
        for name in c.set:
            _check_name(name)
        params = {"id": c.session_id, "access": c.access_time, "idle": c.idle_timeout_ms or None,
                  "deadline_changed": c.deadline_changed, "deadline": c.deadline if c.deadline_changed else None,
                  "principal_changed": c.principal_changed, "principal": c.principal if c.principal_changed else None,
                  "removed": sorted(c.removed), "set": _column(c.set)}
        for _ in range(3):
            row = self._one(self._merge, params)
            if row is not None:
                if row[9] <= c.access_time:  # this change itself ended the session
                    self._count(self._delete_ended, {"id": c.session_id, "version": row[6]})
                    return None
                return _record(c.session_id, row)
            if self._gone(c):
                return None
        raise SessionStoreError("the session row changed under 3 merges in a row")

    def delete(self, sid):
        return self._count(self._delete, {"id": sid}) > 0

    def close(self):
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # ------------------------------------------------------------------------------------------- internals

    def _gone(self, c):
        """Why a merge matched no row: gone or expired (deleted now), or unreadable (raises); else it changed
        in between and the merge runs again."""
        row = self._one(self._classify, {"id": c.session_id})
        if row is None:
            return True
        if row[0] != 1:
            raise UnreadableEntry("session row has %s format version" % ("a newer" if row[0] > 1 else "an unsupported"),
                                  newer_format=row[0] > 1)
        if row[1] > c.access_time:
            if not row[2]:
                raise UnreadableEntry("session row's attributes column is not a JSON object")
            return False
        self._count(self._delete_expired, {"id": c.session_id, "access": c.access_time})
        return True

    def _cursor_run(self, sql, params, fetch):
        for attempt in (1, 2):
            conn = getattr(self._local, "conn", None)
            try:
                if conn is None or conn.closed:
                    conn = self._local.conn = self._psycopg2.connect(self._dsn)
                    conn.autocommit = True
                with conn.cursor() as cur:
                    cur.execute(sql, params)
                    return cur.fetchone() if fetch else cur.rowcount
            except self._psycopg2.OperationalError as e:
                # A broken connection: a read or delete runs once more; a write may have happened already.
                self._local.conn = None
                if attempt == 2 or not sql.startswith(("SELECT", "DELETE")):
                    raise SessionStoreError("PostgreSQL failed: %s" % type(e).__name__) from None
            except self._psycopg2.Error as e:
                raise SessionStoreError("PostgreSQL refused a statement (SQLSTATE %s)" % e.pgcode) from None

    def _one(self, sql, params):
        return self._cursor_run(sql, params, True)

    def _count(self, sql, params):
        return self._cursor_run(sql, params, False)


def _column(attrs):
    """The attributes column: each name mapped to its value's JSON text, held as a JSON string (jsonb would
    normalise the values themselves)."""
    return json.dumps(dict(attrs), ensure_ascii=False, separators=(",", ":"))


def _check_name(name):
    if "\x00" in name:
        raise ValueError("attribute name '%s' holds U+0000, which PostgreSQL cannot store in a name" % name[:40])


def _check_principal(principal):
    if principal is not None and (len(principal) > MAX_PRINCIPAL_CHARS or "\x00" in principal):
        raise ValueError("a principal is at most %d characters, without U+0000" % MAX_PRINCIPAL_CHARS)


def _record(sid, row):
    randval, created, last, idle, deadline, principal, version, fmt, column = row[:9]
    if fmt != 1:
        raise UnreadableEntry("session row has %s format version" % ("a newer" if fmt > 1 else "an unsupported"),
                          newer_format=fmt > 1)
    for value, name in ((created, "created_ms"), (last, "last_access_ms"), (idle, "idle_timeout_ms"),
                        (version, "version")):
        if value is None or value < 0:
            raise UnreadableEntry("session row's %s is missing or negative" % name)
    if idle == 0 or (deadline is not None and deadline < 0):
        raise UnreadableEntry("session row has an invalid timeout")
    if not is_valid_id(randval):
        raise UnreadableEntry("session row has a missing or malformed randval")
    try:
        texts = json.loads(column)
    except (TypeError, ValueError):
        raise UnreadableEntry("attributes column is not valid JSON") from None
    if type(texts) is not dict:
        raise UnreadableEntry("attributes column is not a JSON object")
    attrs = {}
    for name, text in texts.items():
        if type(text) is not str:
            raise UnreadableEntry("attributes column holds a value that is not a string of JSON text")
        attrs[name] = checked_value(text)
    return Record(sid, randval, created, last, idle, None if deadline == MAX_LONG else deadline, principal, version,
                  MappingProxyType(attrs))
