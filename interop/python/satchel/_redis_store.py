"""Satchel's Redis store (store-redis), joined from Python over a minimal RESP2 client: one hash per
session, changes merged by the very Lua scripts the Java store runs. See docs/format.md, "Redis"."""
import hashlib
import socket
import ssl
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ._document import ATTRIBUTE_PREFIX, SessionStoreError, UnreadableEntry, decode_hash

#: Expiry instants are capped at 2^52 ms so that they stay exact in Lua's numbers; the scripts cap them too.
MAX_EXPIRE_AT = 1 << 52
#: The Java store's own scripts, in this repository (give ``scripts`` where the module is deployed without it).
SCRIPTS = Path(__file__).resolve().parents[3] / "store-redis/src/main/resources/dev/satchel/store/redis"


class RedisReplyError(SessionStoreError):
    """Redis answered a command with an error."""


class _Connection:
    def __init__(self, host, port, timeout, tls, user, password, database):
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
            if tls:
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
        except OSError as e:
            raise SessionStoreError("cannot connect to Redis: %s" % (e.strerror or type(e).__name__)) from None
        self.sock = sock
        self.reader = sock.makefile("rb")
        if password is not None:
            self.call("AUTH", password) if user is None else self.call("AUTH", user, password)
        if database:
            self.call("SELECT", str(database))

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            b = a if isinstance(a, bytes) else str(a).encode("utf-8")
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.sock.sendall(b"".join(out))
        return self._reply()

    def _reply(self):
        line = self.reader.readline()
        if not line.endswith(b"\r\n"):
            raise ConnectionError("connection closed")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode("utf-8")
        if kind == b"-":
            return RedisReplyError(rest.decode("utf-8", "replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.reader.read(n + 2)
            if len(data) != n + 2:
                raise ConnectionError("connection closed")
            return data[:-2]
        if kind == b"*":
            n = int(rest)
            if n < 0:
                return None
            items = [self._reply() for _ in range(n)]
            for item in items:
                if isinstance(item, RedisReplyError):
                    raise item
            return items
        raise ConnectionError("unexpected reply")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class RedisStore:
    """Sessions in a Redis shared with Satchel's Java Redis store: ``redis://[[user]:password@]host[:port][/db]``
    or ``rediss://`` for TLS. Keys, fields and scripts are the Java store's (``scripts``: the folder of its Lua
    files, by default store-redis's own in this repository); every write publishes the id on
    the invalidation channel as the Java store does (``publish_invalidations=False`` to match a Java store
    built with ``InvalidationMode.NONE``), so Java caches that listen drop their copy. One connection per
    thread; a broken connection is retried once (every script is safe to repeat). Thread-safe."""

    can_change_principal = True

    def __init__(self, url, *, namespace="satchel", timeout=1.0, publish_invalidations=True, scripts=SCRIPTS):
        u = urlsplit(url)
        if u.scheme not in ("redis", "rediss") or not u.hostname:
            raise ValueError("a Redis URL is redis://[[user]:password@]host[:port][/db] or rediss://...")
        path = u.path.lstrip("/")
        if path and not path.isdigit():
            raise ValueError("the path of a Redis URL is /<database number>")
        self._address = (u.hostname, u.port or 6379, timeout, u.scheme == "rediss",
                         unquote(u.username) if u.username else None,
                         unquote(u.password) if u.password is not None else None, int(path or 0))
        self._prefix = namespace + ":session:{"
        self._principal_prefix = namespace + ":principal:{"
        self._channel = namespace + ":invalidations" if publish_invalidations else ""
        self._scripts = {}
        for name in ("create", "apply", "delete", "index-add", "index-remove"):
            try:
                body = (Path(scripts) / (name + ".lua")).read_bytes()
            except OSError:
                raise ValueError("the Redis store's script %s.lua is not in %s: copy store-redis's scripts "
                                 "(store-redis/src/main/resources/dev/satchel/store/redis/) and give their folder "
                                 "as scripts" % (name, scripts)) from None
            self._scripts[name] = (body, hashlib.sha1(body).hexdigest())
        self._local = threading.local()

    def session_key(self, sid):
        return self._prefix + sid + "}"

    def principal_key(self, principal):
        return self._principal_prefix + principal + "}"

    # ------------------------------------------------------------------------------------------- the store

    def load(self, sid):
        flat = self._call("HGETALL", self.session_key(sid))
        return decode_hash(_fields(flat))

    def create(self, record):
        """Creates the hash, then (with a principal) its index entry, as the Java store does; if the entry
        cannot be written the session is deleted again and the failure raised (no cookie names it)."""
        args = [str(min(record.expires_at(), MAX_EXPIRE_AT)), "",
                "v", "1", "id", record.id, "randval", record.randval, "created", str(record.created),
                "lastAccess", str(record.last_access), "idleTimeoutMs", str(record.idle_timeout_ms)]
        if record.deadline is not None:
            args += ["deadline", str(record.deadline)]
        if record.principal is not None:
            args += ["principal", record.principal]
        args += ["version", str(record.version)]
        for name, value in record.attrs.items():
            args += [ATTRIBUTE_PREFIX + name, value]
        # A retry (its first attempt may have stored the hash and lost the answer) names the randval, so the
        # script recognises its own hash instead of reporting the id taken.
        retry = list(args)
        retry[1] = record.randval
        if self._script("create", self.session_key(record.id), args, retry) != 1:
            return False
        if record.principal is not None:
            try:
                self._index(record.principal, record.id, _score(record.deadline), record.last_access)
            except SessionStoreError:
                self.delete(record.id)
                raise
        return True

    def apply(self, c):
        sid = c.session_id
        new_principal = c.principal if c.principal_changed else None
        if new_principal is not None:
            self._index(new_principal, sid, _score(c.deadline) if c.deadline_changed else "inf", c.access_time)
        args = [str(c.access_time), str(c.idle_timeout_ms) if c.idle_timeout_ms else "",
                "" if not c.deadline_changed else "-" if c.deadline is None else str(c.deadline),
                "0" if not c.principal_changed else "2" if c.principal is None else "1",
                c.principal or "", self._channel, sid, str(c.base.version), str(len(c.removed))]
        args += [ATTRIBUTE_PREFIX + name for name in c.removed]
        for name, value in c.set.items():
            args += [ATTRIBUTE_PREFIX + name, value]
        answer = self._script("apply", self.session_key(sid), args)
        status = answer[0]
        if status == 0:
            return None
        if status == -2:  # a format version other than 1, judged by v alone
            newer = int(answer[1]) > 1
            raise UnreadableEntry("session hash has %s format version" % ("a newer" if newer else "an unsupported"),
                                  newer_format=newer)
        if status < 0:
            raise UnreadableEntry("session hash is not a complete session: nothing was merged into it")
        old_principal = None if answer[1] is None else answer[1].decode("utf-8")
        merged = c.apply_to(c.base) if status == 2 else decode_hash(_fields(answer[2]))
        if merged is None:
            merged = self.load(sid)
            if merged is None:
                return None
        if c.principal_changed and old_principal is not None and old_principal != new_principal:
            self._forget(old_principal, sid)
        if merged.principal is not None and (
                merged.deadline is not None and not c.deadline_changed if c.principal_changed else c.deadline_changed):
            self._index(merged.principal, sid, _score(merged.deadline), c.access_time)  # the real score, now known
        return merged

    def delete(self, sid):
        """Deletes the hash, publishes the removal, and takes the session out of its principal's index."""
        deleted, principal = self._script("delete", self.session_key(sid), [self._channel, sid])
        if principal is not None:
            self._forget(principal.decode("utf-8"), sid)
        return deleted > 0

    # ------------------------------------------------------------------------------------------- internals

    def _index(self, principal, sid, score, now):
        self._script("index-add", self.principal_key(principal), [str(now), score, sid])

    def _forget(self, principal, sid):
        try:
            self._script("index-remove", self.principal_key(principal), [sid])
        except SessionStoreError:
            pass  # a stale index entry is pruned later; lookups never trust one

    def _script(self, name, key, args, retry_args=None):
        body, sha = self._scripts[name]
        retry = None if retry_args is None else ("EVALSHA", sha, "1", key, *retry_args)
        try:
            return self._call("EVALSHA", sha, "1", key, *args, retry=retry)
        except RedisReplyError as e:
            if not str(e).startswith("NOSCRIPT"):
                raise
            return self._call("EVAL", body, "1", key, *args,
                              retry=None if retry_args is None else ("EVAL", body, "1", key, *retry_args))

    def _call(self, *args, retry=None):
        """Runs one command; a broken connection is retried once on a fresh one, with ``retry`` if given."""
        for attempt in (1, 2):
            conn = getattr(self._local, "conn", None)
            try:
                if conn is None:
                    conn = self._local.conn = _Connection(*self._address)
                reply = conn.call(*(args if attempt == 1 or retry is None else retry))
            except (OSError, ConnectionError) as e:
                if conn is not None:
                    conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise SessionStoreError("Redis connection failed: %s" % (getattr(e, "strerror", None)
                                                                            or type(e).__name__)) from None
                continue
            if isinstance(reply, RedisReplyError):
                if reply.args[0].startswith("WRONGTYPE"):
                    raise UnreadableEntry("the session key holds another type")
                raise reply
            return reply

    def close(self):
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def _fields(flat):
    try:
        return {flat[i].decode("utf-8"): flat[i + 1].decode("utf-8") for i in range(0, len(flat), 2)}
    except UnicodeDecodeError:
        raise UnreadableEntry("a session hash field is not UTF-8") from None


def _score(deadline):
    return "inf" if deadline is None else str(min(deadline, MAX_EXPIRE_AT))
