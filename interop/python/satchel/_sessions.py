"""The request lifecycle of Satchel's HttpSessions, in Python: the signed cookie in, a session for the
request, this request's changes merged into the store, the Set-Cookie header out."""
import base64
import binascii
import hashlib
import hmac
import json
import logging
import time
from collections.abc import MutableMapping
from dataclasses import replace
from datetime import timedelta
from types import MappingProxyType

from ._document import (ChangeSet, Record, SessionStoreError, SessionTooLarge, UnreadableEntry, check_name,
                        checked_value, encoded_length_bound, is_valid_id, new_id, to_json)

LOG = logging.getLogger("satchel")

#: The most well-formed candidate cookies tried from one header, each costing one store lookup.
MAX_CANDIDATES = 4
#: The Java side's default maximum session size, and the largest it allows (half the 32 MiB read limit).
DEFAULT_MAX_SESSION_BYTES = 8 * 1024 * 1024
MAX_SESSION_BYTES_LIMIT = 16 * 1024 * 1024
_DIGEST_LENGTH = 43
_COOKIE_VALUE_LENGTH = 22 + 1 + _DIGEST_LENGTH
_TOKEN_SEPARATORS = set('()<>@,;:\\"/[]?={}')
_SAME_SITE = ("Strict", "Lax", "None")


class SessionConflict(SessionStoreError):
    """A new session's id was taken; with 128 random bits this means the random source is broken."""


class PrincipalIndexNotDefined(RuntimeError):
    """The store keeps a principal index whose format this module does not implement, so it must not log a
    session in or out (docs/format.md says which stores)."""


class SigningKeys:
    """The HMAC-SHA256 keys that sign cookies: the first (newest) signs, every key verifies. A key is raw
    ``bytes`` or base64 text (standard or URL-safe alphabet, padding optional), at least 32 bytes."""

    MIN_KEY_BYTES = 32

    def __init__(self, newest, *older):
        self._keys = tuple(self._key(k, i) for i, k in enumerate((newest,) + older))

    @classmethod
    def _key(cls, key, index):
        if isinstance(key, str):
            text = key.strip().replace("+", "-").replace("/", "_").rstrip("=")
            try:
                key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            except (binascii.Error, ValueError):
                raise ValueError("signing key %d is not valid base64" % index) from None
        if not isinstance(key, bytes):
            raise TypeError("signing key %d must be bytes or base64 text" % index)
        if len(key) < cls.MIN_KEY_BYTES:
            raise ValueError("signing key %d is %d bytes; HMAC-SHA256 keys must be at least %d random bytes"
                             % (index, len(key), cls.MIN_KEY_BYTES))
        return key

    def digest(self, record, key=0):
        """``base64url(HMAC-SHA256(key, sid + ":" + randval))`` without padding: 43 characters."""
        mac = hmac.new(self._keys[key], (record.id + ":" + record.randval).encode("ascii"), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode("ascii")

    def verify(self, record, digest):
        """Index of the key that signed ``digest`` for ``record`` (0 is the newest), or -1; each comparison
        takes the same time whatever the characters."""
        for k in range(len(self._keys)):
            if hmac.compare_digest(self.digest(record, k), digest):
                return k
        return -1

    def __repr__(self):
        return "SigningKeys[%d key%s]" % (len(self._keys), "" if len(self._keys) == 1 else "s")


class Cookie:
    """The session cookie (RFC 6265), with the rules of Satchel's CookieSpec: HttpOnly always, Secure and
    SameSite=Lax by default, ``__Host-`` and ``__Secure-`` prefix rules, SameSite=None only with Secure.
    A cookie whose Set-Cookie would exceed 4,096 bytes is refused (browsers drop it)."""

    def __init__(self, name="__Host-SID", *, secure=True, same_site="Lax", path="/", domain=None, max_age=None):
        if not name or any(c <= " " or c >= "\x7f" or c in _TOKEN_SEPARATORS for c in name):
            raise ValueError("cookie name must be a non-empty RFC 6265 token")
        if same_site not in _SAME_SITE:
            raise ValueError("same_site must be one of %s" % ", ".join(_SAME_SITE))
        if not path.startswith("/") or any(c < "!" or c > "~" or c == ";" for c in path):
            raise ValueError("cookie path must start with '/' and hold only visible ASCII other than ';'")
        if domain is not None:
            domain = domain[1:] if domain.startswith(".") else domain
            if (not domain or domain.startswith(".") or domain.endswith(".") or ".." in domain or len(domain) > 253
                    or any(not (c.isascii() and (c.isalnum() or c in "-.")) for c in domain)):
                raise ValueError("cookie domain is not a host name")
            domain = domain.lower()
        if max_age is not None:
            max_age = int(max_age.total_seconds() if isinstance(max_age, timedelta) else max_age)
            if max_age < 1:
                raise ValueError("cookie max-age must be at least one second")
        lower = name.lower()
        if lower.startswith("__host-") and (not secure or path != "/" or domain is not None):
            raise ValueError("a cookie named __Host-... must be Secure, have Path=/ and no Domain")
        if lower.startswith("__secure-") and not secure:
            raise ValueError("a cookie named __Secure-... must be Secure")
        if same_site == "None" and not secure:
            raise ValueError("SameSite=None requires Secure")
        self.name, self.secure, self.same_site, self.path, self.domain, self.max_age = (
            name, secure, same_site, path, domain, max_age)
        if len(self.header("x" * _COOKIE_VALUE_LENGTH).encode("ascii")) > 4096:
            raise ValueError("the Set-Cookie header would exceed 4,096 bytes, which browsers drop")

    def _attributes(self, max_age):
        parts = ["; Path=", self.path]
        if self.domain is not None:
            parts += ["; Domain=", self.domain]
        if max_age is not None:
            parts += ["; Max-Age=", str(max_age)]
        if self.secure:
            parts.append("; Secure")
        parts += ["; HttpOnly; SameSite=", self.same_site]
        return "".join(parts)

    def header(self, value):
        """The Set-Cookie header value carrying ``value``."""
        return self.name + "=" + value + self._attributes(self.max_age)

    def expired_header(self):
        """A Set-Cookie header value that makes the browser drop the cookie."""
        return self.name + "=" + self._attributes(0) + "; Expires=Thu, 01 Jan 1970 00:00:00 GMT"

    def candidates(self, header):
        """The ``(sid, digest)`` pairs of well-formed values of this cookie in a Cookie request header, in
        order: lenient about whitespace, empty pairs and quotes; at most MAX_CANDIDATES."""
        found = []
        for pair in header.split(";"):
            name, eq, value = pair.partition("=")
            if not eq or name.strip(" \t") != self.name:
                continue
            value = value.strip(" \t")
            if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
                value = value[1:-1]
            sid, digest = value[:22], value[23:]
            if (len(value) != _COOKIE_VALUE_LENGTH or value[22] != "!" or not is_valid_id(sid)
                    or not _is_base64url(digest)):
                LOG.debug("Ignoring a malformed session cookie")
                continue
            if len(found) == MAX_CANDIDATES:
                LOG.debug("Ignoring session cookies beyond the first %d", MAX_CANDIDATES)
                break
            found.append((sid, digest))
        return found


def _is_base64url(text):
    return text.isascii() and all(c.isalnum() or c in "-_" for c in text)


def _millis(duration, what):
    ms = int(duration.total_seconds() * 1000) if isinstance(duration, timedelta) else int(duration)
    if ms <= 0:
        raise ValueError("%s must be positive" % what)
    return ms


class Session(MutableMapping):
    """One request's working copy of a session: a view over an immutable record that remembers which
    attributes this request set and removed. Values are JSON data: setting one converts it to JSON at once
    (and refuses what would not read back, naming the attribute); reading one decodes it again, so a value
    read is the caller's own copy and changing it changes nothing stored until it is set again. Not
    thread-safe: a session belongs to one request."""

    def __init__(self, base, new, principal_allowed):
        self._base = base
        self._new = new
        self._principal_allowed = principal_allowed
        self._cookie_outdated = False
        self._invalidated = False
        self._forget_changes()

    @property
    def id(self):
        return self._base.id

    @property
    def is_new(self):
        """Whether this session has never been stored."""
        return self._new

    @property
    def record(self):
        """The record this copy was loaded from, or last saved as."""
        return self._base

    @property
    def is_modified(self):
        return bool(self._set or self._removed or self._principal_changed)

    @property
    def principal(self):
        """The user name this session is logged in as, or ``None``."""
        return self._principal if self._principal_changed else self._base.principal

    def set_principal(self, name):
        """Logs the session in as ``name`` (then rotate the id: ``Sessions.rotate_id``), or out with ``None``.

        :raises PrincipalIndexNotDefined: on a store whose principal index this module cannot keep"""
        if not self._principal_allowed:
            raise PrincipalIndexNotDefined(
                "this store keeps a principal index whose format the Python module does not implement yet, so it "
                "must not change who is logged in: log in and out on the Java side, or use Redis or PostgreSQL")
        if name is not None:
            if type(name) is not str:
                raise TypeError("a principal is a str")
            to_json("principal", name)  # refuses what could not be stored
        self._principal_changed = True
        self._principal = name

    def get_json(self, name):
        """The JSON text of attribute ``name``, or ``None``."""
        if name in self._set:
            return self._set[name]
        if name in self._removed:
            return None
        return self._base.attrs.get(name)

    def put_json(self, name, text):
        """Sets attribute ``name`` to the JSON text ``text`` (checked to be one value within the limits)."""
        check_name(name)
        try:
            value = checked_value(text, 2)
        except UnreadableEntry as e:
            raise ValueError("value of attribute '%s' is not one JSON value within the limits: %s" % (name, e)) from None
        try:
            json.dumps(json.loads(value), ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("value of attribute '%s' holds an unpaired surrogate" % name) from None
        self._record_set(name, value)

    def remove(self, name):
        """Removes attribute ``name``; the removal is saved even if this copy did not see the attribute."""
        check_name(name)
        self._set.pop(name, None)
        self._removed.add(name)

    def __getitem__(self, name):
        text = self.get_json(name)
        if text is None:
            raise KeyError(name)
        return json.loads(text)

    def __setitem__(self, name, value):
        self._record_set(name, to_json(name, value))

    def __delitem__(self, name):
        if self.get_json(name) is None:
            raise KeyError(name)
        self.remove(name)

    def __contains__(self, name):
        return isinstance(name, str) and self.get_json(name) is not None

    def _names(self):
        names = set(self._base.attrs) - self._removed
        names.update(self._set)
        return sorted(names)

    def __iter__(self):
        return iter(self._names())

    def __len__(self):
        return len(self._names())

    def __repr__(self):  # never the id, randval or values
        return "Session(%s%s)" % ("new" if self._new else "stored, version %d" % self._base.version,
                                  ", modified" if self.is_modified else "")

    def _record_set(self, name, text):
        self._removed.discard(name)
        self._set[name] = text

    def _is_empty(self):
        return self.principal is None and not self._names()

    def _changes(self, now):
        return ChangeSet(self._base, now, MappingProxyType(dict(self._set)), frozenset(self._removed),
                         self._principal_changed, self._principal)

    def _saved(self, stored):
        self._base = stored
        self._new = False
        self._forget_changes()

    def _forget_changes(self):
        self._set = {}
        self._removed = set()
        self._principal_changed = False
        self._principal = None


class Sessions:
    """Satchel's sessions for one application, over one store. Thread-safe; one instance serves every
    request.

    A cookie is accepted only when it is ``sid!digest`` for a stored, unexpired session and the digest is
    that session's HMAC under one of the keys (compared in constant time); anything else gives a new
    session with a fresh id. ``commit`` stores a new session once it holds data or a principal, merges a
    stored session's changes into what is stored now (so concurrent requests keep each other's changes),
    touches an unchanged one once ``touch_threshold`` of its idle timeout has passed, and returns the
    Set-Cookie header value to send, if the cookie must change."""

    def __init__(self, store, keys, *, cookie=None, idle_timeout=timedelta(minutes=30),
                 absolute_timeout=timedelta(hours=12), touch_threshold=0.1, max_session_bytes=DEFAULT_MAX_SESSION_BYTES,
                 clock=None):
        if not isinstance(keys, SigningKeys):
            raise TypeError("keys must be SigningKeys (there is no default key)")
        if not 0 <= touch_threshold < 1:
            raise ValueError("touch threshold must be in [0, 1)")
        if not 1024 <= max_session_bytes <= MAX_SESSION_BYTES_LIMIT:
            raise ValueError("max session bytes must be between 1024 and %d" % MAX_SESSION_BYTES_LIMIT)
        self.max_session_bytes = max_session_bytes
        self.store = store
        self.keys = keys
        self.cookie = cookie if cookie is not None else Cookie()
        self.idle_timeout_ms = _millis(idle_timeout, "idle timeout")
        self.absolute_timeout_ms = None if absolute_timeout is None else _millis(absolute_timeout, "absolute timeout")
        self.touch_threshold = touch_threshold
        self.clock = clock if clock is not None else (lambda: time.time_ns() // 1_000_000)

    # ------------------------------------------------------------------------------------------- lifecycle

    def open(self, cookie_header):
        """The session the request's cookie names if it verifies, otherwise a new (unsaved) session."""
        if cookie_header:
            for sid, digest in self.cookie.candidates(cookie_header):
                record = self._live(sid)
                if record is None:
                    LOG.debug("Session cookie names no live session")
                    continue
                key = self.keys.verify(record, digest)
                if key < 0:
                    LOG.debug("Session cookie digest does not verify")
                    continue
                session = self._session(record, False)
                session._cookie_outdated = key > 0  # signed with an older key: re-issue under the newest
                return session
        return self.new_session()

    def new_session(self):
        now = self.clock()
        deadline = None if self.absolute_timeout_ms is None else now + self.absolute_timeout_ms
        return self._session(Record(new_id(), new_id(), now, now, self.idle_timeout_ms, deadline, None, 0), True)

    def commit(self, session):
        """Saves what the request did and returns the Set-Cookie header value to send, or ``None``.

        :raises SessionStoreError: if the store fails; nothing is half written"""
        if session._invalidated:
            return self.cookie.expired_header()
        now = self.clock()
        if session.is_new:
            if session._is_empty():
                return None
            initial = session._changes(now).apply_to(replace(session._base, last_access=now, version=0))
            if initial is None:
                return None
            self._check_size(initial)
            if not self.store.create(initial):
                raise SessionConflict("a session with this id already exists")
            session._saved(initial)
            return self._cookie_for(session)
        base = session._base
        write = session.is_modified or now - base.last_access >= int(self.touch_threshold * base.idle_timeout_ms)
        if write:
            merged = self._apply(self._checked_changes(session, now))
            if merged is None:
                LOG.debug("Session was removed or expired during the request; expiring its cookie")
                session._invalidated = True
                return self.cookie.expired_header()
            session._saved(merged)
        if session._cookie_outdated or (write and self.cookie.max_age is not None):
            return self._cookie_for(session)
        return None

    def rotate_id(self, session):
        """Gives the session a new id and randval, keeping its data; the old id stops working at once. Call
        it when the privilege level changes (login). The new cookie comes with the next ``commit``.

        The steps are the Java side's: (1) the request's changes are saved (or its access stored), which fails
        if the session was removed or expired meanwhile; (2) the result is created under the new id; (3) the
        old session is touched once more to learn that it still exists — if a logout removed it since (1), the
        new record is removed again; (4) the old one is removed. ``False`` when (1) or (3) found the session
        gone: treat it like a logout; nothing is stored under a new id and the next ``commit`` expires the
        cookie. A failure never loses the session: until (4) the old id works.

        :raises RuntimeError: if the session was invalidated"""
        if session._invalidated:
            raise RuntimeError("session was invalidated")
        if session.is_new:
            session._base = replace(session._base, id=new_id(), randval=new_id())
            return True
        if session.principal is not None and not session._principal_allowed:
            session.set_principal(session.principal)  # raises PrincipalIndexNotDefined before anything changes
        now = self.clock()
        merged = self._apply(self._checked_changes(session, now))
        if merged is None:
            session._invalidated = True
            return False
        rotated = replace(merged, id=new_id(), randval=new_id(), last_access=now, version=1)
        if not self.store.create(rotated):
            raise SessionConflict("a session with this id already exists")
        if self._apply(ChangeSet(merged, now)) is None:
            self.store.delete(rotated.id)
            session._invalidated = True
            return False
        self.store.delete(merged.id)
        session._saved(rotated)
        session._cookie_outdated = True
        LOG.debug("Rotated a session id")
        return True

    def invalidate(self, session):
        """Removes the session from the store (logout); the next ``commit`` expires the cookie."""
        if not session.is_new:
            self.store.delete(session.id)
        session._invalidated = True

    # ------------------------------------------------------------------------------------------- WSGI

    def wsgi(self, app, environ_key="satchel.session"):
        """WSGI middleware: opens the request's session into ``environ[environ_key]`` and commits it when
        the application calls ``start_response`` — before any byte of the body — adding the Set-Cookie
        header. A change made after that raises ``RuntimeError``."""
        def middleware(environ, start_response):
            session = self.open(environ.get("HTTP_COOKIE"))
            environ[environ_key] = session
            committed = []

            def committing_start_response(status, headers, exc_info=None):
                if not committed:
                    committed.append(self.commit(session))
                    _seal(session)
                if committed[0] is not None:
                    headers = list(headers) + [("Set-Cookie", committed[0])]
                return start_response(status, headers, exc_info)

            return app(environ, committing_start_response)
        return middleware

    # ------------------------------------------------------------------------------------------- internals

    def _session(self, record, new):
        return Session(record, new, getattr(self.store, "can_change_principal", True))

    def _check_size(self, record):
        size = encoded_length_bound(record)
        if size > self.max_session_bytes:
            raise SessionTooLarge("session would take about %d bytes stored, over the maximum of %d bytes; "
                                  "nothing was written" % (size, self.max_session_bytes))

    def _checked_changes(self, session, now):
        """This request's changes, after checking what they make of the session this request saw."""
        changes = session._changes(now)
        if not changes.is_touch_only():
            seen = changes.apply_to(replace(session._base, last_access=now))
            if seen is not None:
                self._check_size(seen)
        return changes

    def _cookie_for(self, session):
        session._cookie_outdated = False
        return self.cookie.header(session.id + "!" + self.keys.digest(session._base))

    def _live(self, sid):
        try:
            record = self.store.load(sid)
        except UnreadableEntry as e:
            LOG.warning("Treating an unreadable session entry as absent: %s", e)
            return None
        if record is None or record.is_expired_at(self.clock()):
            return None
        if record.id != sid:
            LOG.warning("Treating a session entry stored under another id as absent")
            return None
        return record

    def _apply(self, changes):
        try:
            return self.store.apply(changes)
        except UnreadableEntry as e:
            LOG.warning("Not saving into an unreadable session entry: %s", e)
            return None


class _SealedSession(Session):
    """A session whose request has committed it: reads work, changes raise."""

    def _refuse(self, *args):
        raise RuntimeError("the session was already committed (the response has started)")

    __setitem__ = __delitem__ = put_json = remove = set_principal = _refuse


def _seal(session):
    session.__class__ = _SealedSession
