"""The stored session, version 1, as docs/format.md defines it: ids, the record, one request's changes and
their merge, the JSON document (file store, SQL) and the Redis hash, with the same limits the Java side
applies when it reads. Nothing here does I/O."""
import base64
import json
import re
import secrets
from dataclasses import dataclass, field, replace
from types import MappingProxyType

FORMAT_VERSION = 1
#: Deepest nesting of arrays and objects in a stored document (the document itself is level 1).
MAX_DEPTH = 200
#: Deepest nesting of one attribute value: it sits inside the document and its "attrs" object.
MAX_VALUE_DEPTH = MAX_DEPTH - 2
#: Longest string, in UTF-16 code units (what Java counts).
MAX_STRING_CHARS = 16 * 1024 * 1024
#: Longest object member name (an attribute name included), in UTF-16 code units.
MAX_NAME_CHARS = 50_000
#: Longest number, in characters.
MAX_NUMBER_CHARS = 1000
#: Largest stored document, in bytes of UTF-8.
MAX_DOCUMENT_BYTES = 32 * 1024 * 1024
#: Largest value of a stored 64-bit field.
MAX_LONG = 2 ** 63 - 1

_ID = re.compile(r"[A-Za-z0-9_-]{21}[AQgw]")  # 22 characters; the last one carries four zero bits
_WHITESPACE = re.compile(r"[ \t\n\r]*")
# Strings (a member name when a colon follows), brackets and numbers: what the limits are about.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"(?P<colon>[ \t\n\r]*:)?|[\[{]|[\]}]|-?[0-9][0-9.eE+-]*', re.S)


class SessionStoreError(Exception):
    """A store failed (unreachable, timed out, refused); nothing was half written. Messages never hold a
    session id, cookie, randval or password."""


class SessionTooLarge(SessionStoreError):
    """Saving the session was refused before anything was written: its document would exceed the maximum
    session size (what is stored must always read back)."""


class UnreadableEntry(Exception):
    """A stored entry that is not a readable version-1 session. ``newer_format`` is true when it carries a
    format version above this code's: such an entry belongs to a newer writer and is never touched. The
    message names the defect, never the content."""

    def __init__(self, message, newer_format=False):
        super().__init__(message)
        self.newer_format = newer_format


def is_valid_id(candidate):
    """Whether ``candidate`` is a session id (or randval): the canonical unpadded base64url of 16 bytes."""
    return type(candidate) is str and len(candidate) == 22 and _ID.fullmatch(candidate) is not None


def new_id():
    """128 bits from the operating system's random source, as a 22-character id."""
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode("ascii")


def id_bytes(sid):
    """The 16 bytes a valid id encodes."""
    return base64.urlsafe_b64decode(sid + "==")


def utf16_length(text):
    """Length of ``text`` in UTF-16 code units, as Java counts characters."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass(frozen=True, slots=True)
class Record:
    """One stored session; immutable. ``attrs`` maps each attribute name to its exact JSON text."""
    id: str
    randval: str
    created: int
    last_access: int
    idle_timeout_ms: int
    deadline: int | None
    principal: str | None
    version: int
    attrs: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def expires_at(self):
        """``min(lastAccess + idleTimeoutMs, deadline)``, epoch milliseconds."""
        idle_end = self.last_access + self.idle_timeout_ms
        return idle_end if self.deadline is None else min(idle_end, self.deadline)

    def is_expired_at(self, now):
        return now >= self.expires_at()

    def with_attrs(self, attrs, **changes):
        return replace(self, attrs=MappingProxyType(dict(attrs)), **changes)

    def __repr__(self):  # never the id, randval or values: records end up in logs
        return "Record(version=%d, attributes=%d)" % (self.version, len(self.attrs))


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """What one request changed in one stored session, applied to whatever is stored at that moment."""
    base: Record
    access_time: int
    set: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    removed: frozenset = frozenset()
    principal_changed: bool = False
    principal: str | None = None
    idle_timeout_ms: int = 0  # 0: unchanged
    deadline_changed: bool = False
    deadline: int | None = None

    @property
    def session_id(self):
        return self.base.id

    def is_touch_only(self):
        return not (self.set or self.removed or self.principal_changed or self.idle_timeout_ms
                    or self.deadline_changed)

    def apply_to(self, stored):
        """The record to store in place of ``stored``: this request's attributes set and removed, the rest
        untouched, the last access moved forward (never back), the version one higher. ``None`` when
        nothing may be written: ``stored`` is absent or expired at the access time (a change never
        resurrects a session), or this change itself ends the session."""
        if stored is None or stored.is_expired_at(self.access_time):
            return None
        attrs = dict(stored.attrs)
        for name in self.removed:
            attrs.pop(name, None)
        attrs.update(self.set)
        merged = stored.with_attrs(
            attrs,
            last_access=max(stored.last_access, self.access_time),
            version=stored.version + 1,
            principal=self.principal if self.principal_changed else stored.principal,
            idle_timeout_ms=self.idle_timeout_ms or stored.idle_timeout_ms,
            deadline=self.deadline if self.deadline_changed else stored.deadline)
        return None if merged.is_expired_at(self.access_time) else merged


# ---------------------------------------------------------------------------------------------- limits

def _check_limits(text, base_depth):
    """Refuses what the Java side's reader refuses: nesting, string, name and number lengths."""
    depth = base_depth
    for m in _TOKEN.finditer(text):
        token = m.group()
        c = token[0]
        if c == '"':
            raw = len(token) - 2 if m.group("colon") is None else len(token) - len(m.group("colon")) - 2
            limit = MAX_STRING_CHARS if m.group("colon") is None else MAX_NAME_CHARS
            # Decoded, a string is never longer than twice its raw code points in UTF-16 units.
            if 2 * raw > limit:
                quoted = token if m.group("colon") is None else token[:raw + 2]
                try:
                    decoded = json.loads(quoted)
                except ValueError:
                    raise UnreadableEntry("a string is not valid JSON") from None
                if utf16_length(decoded) > limit:
                    raise UnreadableEntry("a %s is longer than %d characters"
                                          % ("string" if m.group("colon") is None else "name", limit))
        elif c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise UnreadableEntry("nesting is deeper than %d" % MAX_DEPTH)
        elif c in "]}":
            depth -= 1
        elif len(token) > MAX_NUMBER_CHARS:
            raise UnreadableEntry("a number is longer than %d characters" % MAX_NUMBER_CHARS)


def _refuse_constant(name):
    raise ValueError("%s is not JSON" % name)


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def _value_at(text, i):
    """The JSON value starting at ``text[i]`` and the index just after it."""
    try:
        return _DECODER.raw_decode(text, i)
    except (ValueError, RecursionError) as e:
        raise UnreadableEntry("not valid JSON at character %d" % (e.pos if hasattr(e, "pos") else i)) from None


def _skip_whitespace(text, i):
    return _WHITESPACE.match(text, i).end()


def _members(text, i):
    """The members of the object starting at ``text[i]``: ``[(name, value start, value end)]`` and the index
    after the object. Later duplicates win, as they do in Java."""
    i = _skip_whitespace(text, i + 1)
    members = []
    if text.startswith("}", i):
        return members, i + 1
    while True:
        if not text.startswith('"', i):
            raise UnreadableEntry("an object member has no name at character %d" % i)
        name, i = _value_at(text, i)
        i = _skip_whitespace(text, i)
        if not text.startswith(":", i):
            raise UnreadableEntry("a member name is not followed by ':' at character %d" % i)
        start = _skip_whitespace(text, i + 1)
        _, end = _value_at(text, start)
        members.append((name, start, end))
        i = _skip_whitespace(text, end)
        if text.startswith(",", i):
            i = _skip_whitespace(text, i + 1)
        elif text.startswith("}", i):
            return members, i + 1
        else:
            raise UnreadableEntry("an object is not continued or closed at character %d" % i)


def _utf8(data, what):
    if len(data) > MAX_DOCUMENT_BYTES:
        raise UnreadableEntry("%s is larger than %d bytes" % (what, MAX_DOCUMENT_BYTES))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableEntry("%s is not UTF-8" % what) from None


def checked_value(text, base_depth=0):
    """``text`` if it is exactly one JSON value within the limits (nested inside ``base_depth`` levels),
    without surrounding whitespace; for values kept apart from a document (Redis fields, SQL columns)."""
    _check_limits(text, base_depth)
    start = _skip_whitespace(text, 0)
    if start == len(text):
        raise UnreadableEntry("attribute value is empty")
    _, end = _value_at(text, start)
    if _skip_whitespace(text, end) != len(text):
        raise UnreadableEntry("attribute value has more than one JSON value")
    return text[start:end]


# ---------------------------------------------------------------------------------------------- document

def _long(value, name):
    if type(value) is not int or not 0 <= value <= MAX_LONG:
        raise UnreadableEntry('field "%s" is not a non-negative 64-bit integer' % name)
    return value


def _version_of(value, what):
    """Checks the format version; a newer one is reported as such, never as damage."""
    if value is None:
        raise UnreadableEntry('%s has no format version "v"' % what)
    if type(value) is not int or value != FORMAT_VERSION:
        newer = type(value) is int and value > FORMAT_VERSION
        raise UnreadableEntry("%s has %s format version" % (what, "a newer" if newer else "an unsupported"),
                              newer_format=newer)


def _record(v, what, sid, randval, created, last_access, idle, deadline, principal, version, attrs):
    _version_of(v, what)
    if not is_valid_id(sid):
        raise UnreadableEntry('%s has a missing or malformed "id"' % what)
    if not is_valid_id(randval):
        raise UnreadableEntry('%s has a missing or malformed "randval"' % what)
    for value, name in ((created, "created"), (last_access, "lastAccess"), (idle, "idleTimeoutMs"),
                        (version, "version")):
        if value is None:
            raise UnreadableEntry('%s has no "%s"' % (what, name))
        _long(value, name)
    if idle == 0:
        raise UnreadableEntry('%s field "idleTimeoutMs" is zero' % what)
    if deadline is not None:
        _long(deadline, "deadline")
        if deadline == MAX_LONG:
            deadline = None  # the Java side's "no deadline"
    if principal is not None and type(principal) is not str:
        raise UnreadableEntry('%s field "principal" is not a string' % what)
    return Record(sid, randval, created, last_access, idle, deadline, principal, version,
                  MappingProxyType(attrs))


def decode_document(data):
    """The record in stored document ``data`` (bytes of UTF-8).

    :raises UnreadableEntry: if it is not a complete, valid version-1 document within the limits"""
    text = _utf8(data, "session document")
    _check_limits(text, 0)
    i = _skip_whitespace(text, 0)
    if not text.startswith("{", i):
        raise UnreadableEntry("session document is not a JSON object")
    members, end = _members(text, i)
    if _skip_whitespace(text, end) != len(text):
        raise UnreadableEntry("session document does not end after its object")
    fields = {}
    attrs = {}
    for name, start, stop in members:
        if name == "attrs":
            if text.startswith("null", start):
                attrs = {}
            elif not text.startswith("{", start):
                raise UnreadableEntry('session document field "attrs" is not an object')
            else:
                attrs = {n: text[s:e] for n, s, e in _members(text, start)[0]}
        else:
            fields[name] = _value_at(text, start)[0]
    if "v" in fields:
        _version_of(fields["v"], "session document")  # a newer format first, whatever else is in it
    return _record(fields.get("v"), "session document", fields.get("id"), fields.get("randval"),
                   fields.get("created"), fields.get("lastAccess"), fields.get("idleTimeoutMs"),
                   fields.get("deadline"), fields.get("principal"), fields.get("version"), attrs)


def _quoted(text):
    return json.dumps(text, ensure_ascii=False)


def encoded_length_bound(record):
    """An upper bound of the size in bytes of ``record``'s stored document, computed as the Java side does
    (names as if every character took a six-byte escape, values at their UTF-8 length), so that both sides
    refuse the same sessions as too large."""
    size = 256
    if record.principal is not None:
        size += 6 * utf16_length(record.principal)
    for name, value in record.attrs.items():
        size += 6 * utf16_length(name) + 4 + len(value.encode("utf-8", "surrogatepass"))
    return size


def encode_document(record):
    """The UTF-8 bytes of the stored document of ``record``, as the Java side writes it.

    :raises SessionTooLarge: if it would exceed the document limit"""
    attrs = ",".join(_quoted(n) + ":" + record.attrs[n] for n in sorted(record.attrs))
    text = '{"v":%d,"id":"%s","randval":"%s","created":%d,"lastAccess":%d,"idleTimeoutMs":%d,"deadline":%s,' \
           '"principal":%s,"version":%d,"attrs":{%s}}' % (
               FORMAT_VERSION, record.id, record.randval, record.created, record.last_access,
               record.idle_timeout_ms, "null" if record.deadline is None else "%d" % record.deadline,
               "null" if record.principal is None else _quoted(record.principal), record.version, attrs)
    data = text.encode("utf-8")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise SessionTooLarge("the session would be %d bytes of JSON; the limit is %d"
                              % (len(data), MAX_DOCUMENT_BYTES))
    return data


# ---------------------------------------------------------------------------------------------- Redis hash

ATTRIBUTE_PREFIX = "a:"


def _hash_number(text, name):
    if text is None:
        raise UnreadableEntry('session hash has no "%s"' % name)
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > MAX_LONG:
        raise UnreadableEntry('session hash field "%s" is not a non-negative integer' % name)
    return int(text)


def decode_hash(fields):
    """The record in a session hash (field name to value, both ``str``); ``None`` for an empty hash.

    :raises UnreadableEntry: if it is not a complete, valid version-1 session"""
    if not fields:
        return None
    v = fields.get("v")
    if v is not None and v != "1":
        _version_of(int(v) if v.isascii() and v.isdigit() and len(v) < 19 else -1, "session hash")
    attrs = {}
    for name, value in fields.items():
        if name.startswith(ATTRIBUTE_PREFIX):
            attrs[name[len(ATTRIBUTE_PREFIX):]] = checked_value(value)
    deadline = fields.get("deadline")
    return _record(None if v is None else 1, "session hash", fields.get("id"), fields.get("randval"),
                   _hash_number(fields.get("created"), "created"),
                   _hash_number(fields.get("lastAccess"), "lastAccess"),
                   _hash_number(fields.get("idleTimeoutMs"), "idleTimeoutMs"),
                   None if deadline is None else _hash_number(deadline, "deadline"),
                   fields.get("principal"), _hash_number(fields.get("version"), "version"), attrs)


# ---------------------------------------------------------------------------------------------- values

def check_name(name):
    """Refuses an attribute name the Java side could not store or read back."""
    if type(name) is not str:
        raise TypeError("attribute names are strings, not %s" % type(name).__name__)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("attribute name has an unpaired surrogate") from None
    if len(name) > MAX_NAME_CHARS // 2 and utf16_length(name) > MAX_NAME_CHARS:
        raise ValueError("attribute name is longer than %d characters" % MAX_NAME_CHARS)


def _check_value(name, value, depth):
    t = type(value)
    if value is None or t is bool:
        return
    if t is int:
        if value.bit_length() > 3000:  # far fewer than MAX_NUMBER_CHARS digits below this
            if len(str(value)) > MAX_NUMBER_CHARS:
                raise ValueError("value of attribute '%s' holds a number longer than %d digits"
                                 % (name, MAX_NUMBER_CHARS))
        return
    if t is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("value of attribute '%s' holds a NaN or an infinity, which JSON has not" % name)
        return
    if t is str:
        if len(value) > MAX_STRING_CHARS // 2 and utf16_length(value) > MAX_STRING_CHARS:
            raise ValueError("value of attribute '%s' holds a string longer than %d characters"
                             % (name, MAX_STRING_CHARS))
        return
    if t in (list, tuple, dict):
        if depth >= MAX_VALUE_DEPTH:
            raise ValueError("value of attribute '%s' is nested deeper than %d" % (name, MAX_VALUE_DEPTH))
        if t is dict:
            for key, item in value.items():
                if type(key) is not str:
                    raise ValueError("value of attribute '%s' has a %s key; JSON object keys are strings"
                                     % (name, type(key).__name__))
                if len(key) > MAX_NAME_CHARS // 2 and utf16_length(key) > MAX_NAME_CHARS:
                    raise ValueError("value of attribute '%s' has a key longer than %d characters"
                                     % (name, MAX_NAME_CHARS))
                _check_value(name, item, depth + 1)
        else:
            for item in value:
                _check_value(name, item, depth + 1)
        return
    raise ValueError("value of attribute '%s' is a %s; store JSON data (None, bool, int, float, str, list, "
                     "tuple, dict with str keys)" % (name, t.__name__))


def to_json(name, value):
    """The JSON text of ``value`` for attribute ``name``, checked to read back on the Java side.

    :raises ValueError: naming the attribute and the limit, if it would not"""
    check_name(name)
    _check_value(name, value, 0)
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("value of attribute '%s' holds an unpaired surrogate" % name) from None
    return text
