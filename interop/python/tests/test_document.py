"""The stored document, the Redis hash, values and the merge: what is accepted, what is refused, and how."""
import json
import sys
import unittest
from pathlib import Path
from types import MappingProxyType

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from satchel._document import (MAX_DEPTH, MAX_NAME_CHARS, MAX_NUMBER_CHARS, MAX_VALUE_DEPTH, ChangeSet,  # noqa: E402
                               Record, UnreadableEntry, checked_value, decode_document, decode_hash,
                               encode_document, encoded_length_bound, is_valid_id, new_id, to_json)

SID = "p3Vx0R6cTtOmWvDZ0M6i0g"
RANDVAL = "Yl4bU6dCq3sVJ6x2fP1mZA"


def document(**changes):
    doc = {"v": 1, "id": SID, "randval": RANDVAL, "created": 1000, "lastAccess": 2000, "idleTimeoutMs": 1800000,
           "deadline": None, "principal": None, "version": 3, "attrs": {"n": 1}}
    doc.update(changes)
    return json.dumps(doc).encode("utf-8")


def record(**changes):
    values = dict(id=SID, randval=RANDVAL, created=1000, last_access=2000, idle_timeout_ms=1800000, deadline=None,
                  principal=None, version=3, attrs=MappingProxyType({}))
    values.update(changes)
    return Record(**values)


class IdsTest(unittest.TestCase):

    def test_only_the_canonical_22_character_base64url_form_is_an_id(self):
        self.assertTrue(is_valid_id(SID))
        self.assertTrue(is_valid_id(new_id()))
        for bad in ["", SID[:21], SID + "A", SID[:21] + "B", "../../etc/passwd", SID[:21] + "=", "é" * 22,
                    SID[:10] + "." + SID[11:], None, 22, SID.encode()]:
            self.assertFalse(is_valid_id(bad), repr(bad))

    def test_new_ids_differ(self):
        self.assertEqual(1000, len({new_id() for _ in range(1000)}))


class DocumentTest(unittest.TestCase):

    def test_a_document_reads_with_every_field(self):
        r = decode_document(document(deadline=5000, principal="alice", attrs={"cart": {"items": [1, 2]}}))
        self.assertEqual((SID, RANDVAL, 1000, 2000, 1800000, 5000, "alice", 3),
                         (r.id, r.randval, r.created, r.last_access, r.idle_timeout_ms, r.deadline, r.principal, r.version))
        self.assertEqual({"cart": '{"items": [1, 2]}'}, dict(r.attrs))

    def test_attribute_values_keep_their_exact_text(self):
        text = ('{"v":1,"id":"%s","randval":"%s","created":1,"lastAccess":1,"idleTimeoutMs":1,"deadline":null,'
                '"principal":null,"version":1,"attrs":{"big":12345678901234567890123,"e":1.0E10,"s":"\\u00e9\\/",'
                '"z":-0.0, "o" : { "b" : [ ] } }}') % (SID, RANDVAL)
        r = decode_document(text.encode())
        self.assertEqual({"big": "12345678901234567890123", "e": "1.0E10", "s": '"\\u00e9\\/"', "z": "-0.0",
                          "o": '{ "b" : [ ] }'}, dict(r.attrs))

    def test_what_it_writes_reads_back_to_the_same_record(self):
        r = record(deadline=9000, principal="Zoë 😀", attrs=MappingProxyType({"b": "[1,2.5]", "a": '"x"', "é": "{}"}))
        data = encode_document(r)
        self.assertEqual(r, decode_document(data))
        self.assertTrue(data.startswith(b'{"v":1,"id":"' + SID.encode()))

    def test_unknown_fields_are_ignored_and_attrs_may_be_null_or_missing(self):
        self.assertEqual({}, dict(decode_document(document(attrs=None)).attrs))
        doc = json.loads(document())
        del doc["attrs"]
        doc["fromTheFuture"] = {"x": [1]}
        self.assertEqual({}, dict(decode_document(json.dumps(doc).encode()).attrs))

    def test_a_deadline_of_the_largest_long_means_none(self):
        self.assertIsNone(decode_document(document(deadline=2 ** 63 - 1)).deadline)

    def test_a_newer_format_is_reported_as_such(self):
        for v in (2, 17):
            with self.assertRaises(UnreadableEntry) as e:
                decode_document(document(v=v, id="anything at all"))
            self.assertTrue(e.exception.newer_format)

    def test_damage_is_unreadable_and_never_a_newer_format(self):
        base = json.loads(document())
        cases = {
            "no v": {k: v for k, v in base.items() if k != "v"},
            "v 0": dict(base, v=0), "v text": dict(base, v="1"), "v float": dict(base, v=1.0),
            "bad id": dict(base, id="../x"), "bad randval": dict(base, randval=""),
            "no created": {k: v for k, v in base.items() if k != "created"},
            "negative": dict(base, lastAccess=-1), "float time": dict(base, created=1.5),
            "bool time": dict(base, version=True), "huge": dict(base, version=2 ** 63),
            "zero idle": dict(base, idleTimeoutMs=0), "principal number": dict(base, principal=5),
            "attrs list": dict(base, attrs=[1]),
        }
        for name, doc in cases.items():
            with self.assertRaises(UnreadableEntry, msg=name) as e:
                decode_document(json.dumps(doc).encode())
            self.assertFalse(e.exception.newer_format, name)
        for name, data in {"empty": b"", "not json": b"{v:1}", "truncated": document()[:-1],
                           "trailing": document() + b"x", "array": b"[1]", "NaN": document().replace(b'"n": 1', b'"n": NaN'),
                           "not utf-8": document().replace(b'"n"', b'"\xff"'), "nul": b"\x00" + document()}.items():
            with self.assertRaises(UnreadableEntry, msg=name):
                decode_document(data)

    def test_the_read_limits_are_the_java_sides(self):
        deep = "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2)
        decode_document(document().replace(b'"n": 1', b'"n": ' + deep.encode()))
        with self.assertRaisesRegex(UnreadableEntry, "nesting"):
            decode_document(document().replace(b'"n": 1', b'"n": [' + deep.encode() + b']'))
        with self.assertRaisesRegex(UnreadableEntry, "name"):
            decode_document(document(attrs={"x" * (MAX_NAME_CHARS + 1): 1}))
        decode_document(document(attrs={"😀" * (MAX_NAME_CHARS // 2): 1}))
        with self.assertRaisesRegex(UnreadableEntry, "name"):
            decode_document(document(attrs={"😀" * (MAX_NAME_CHARS // 2) + "x": 1}))
        with self.assertRaisesRegex(UnreadableEntry, "number"):
            decode_document(document().replace(b'"n": 1', b'"n": ' + b"1" * (MAX_NUMBER_CHARS + 1)))
        with self.assertRaisesRegex(UnreadableEntry, "larger"):
            decode_document(b" " * (32 * 1024 * 1024 + 1))


class HashTest(unittest.TestCase):

    def fields(self, **changes):
        f = {"v": "1", "id": SID, "randval": RANDVAL, "created": "1000", "lastAccess": "2000",
             "idleTimeoutMs": "1800000", "version": "3", "a:cart": '{"items":[1]}', "later": "ignored"}
        f.update(changes)
        return {k: v for k, v in f.items() if v is not None}

    def test_a_hash_reads_with_absent_deadline_and_principal(self):
        r = decode_hash(self.fields())
        self.assertEqual((None, None, {"cart": '{"items":[1]}'}), (r.deadline, r.principal, dict(r.attrs)))
        self.assertIsNone(decode_hash({}))

    def test_a_newer_hash_is_reported_as_such_and_damage_is_not(self):
        with self.assertRaises(UnreadableEntry) as e:
            decode_hash(self.fields(v="2", created="garbage"))
        self.assertTrue(e.exception.newer_format)
        for name, change in {"v": {"v": "x"}, "no v": {"v": None}, "sign": {"created": "+1"},
                             "space": {"version": " 3"}, "big": {"version": "9223372036854775808"},
                             "value": {"a:cart": "{"}, "two values": {"a:cart": "1 2"}, "zero idle": {"idleTimeoutMs": "0"},
                             "id": {"id": "x"}}.items():
            with self.assertRaises(UnreadableEntry, msg=name) as e:
                decode_hash(self.fields(**change))
            self.assertFalse(e.exception.newer_format, name)


class ValuesTest(unittest.TestCase):

    def test_json_data_is_written_compactly_and_exactly(self):
        self.assertEqual('{"a":[1,2.5,null,true],"é":"😀"}', to_json("x", {"a": (1, 2.5, None, True), "é": "😀"}))
        self.assertEqual(str(2 ** 70), to_json("x", 2 ** 70))

    def test_what_would_not_read_back_is_refused_naming_the_attribute(self):
        refused = {"nan": float("nan"), "inf": float("inf"), "int key": {1: "a"}, "none key": {None: 1},
                   "object": object(), "set": {1}, "bytes": b"x", "lone surrogate": "x\ud800y",
                   "too deep": self.nested(MAX_VALUE_DEPTH + 1),
                   "huge number": 10 ** (MAX_NUMBER_CHARS + 1)}
        for what, value in refused.items():
            with self.assertRaisesRegex(ValueError, "'cart'", msg=what):
                to_json("cart", value)
        to_json("cart", self.nested(MAX_VALUE_DEPTH))
        for name in ("x\udc00", "y" * (MAX_NAME_CHARS + 1)):
            with self.assertRaises(ValueError):
                to_json(name, 1)
        with self.assertRaises(TypeError):
            to_json(5, 1)

    @staticmethod
    def nested(depth):
        value = 1
        for _ in range(depth):
            value = [value]
        return value

    def test_checked_value_takes_exactly_one_value(self):
        self.assertEqual("[1, 2]", checked_value("  [1, 2] \n"))
        for bad in ("", " ", "1 2", "{", "NaN", "'x'", "[1,]"):
            with self.assertRaises(UnreadableEntry, msg=bad):
                checked_value(bad)

    def test_the_size_bound_is_the_java_sides(self):
        r = record(principal="al", attrs=MappingProxyType({"ab": '"é"'}))
        self.assertEqual(256 + 6 * 2 + 6 * 2 + 4 + 4, encoded_length_bound(r))


class MergeTest(unittest.TestCase):

    def test_a_change_applies_to_what_is_stored_now(self):
        stored = record(attrs=MappingProxyType({"a": "1", "b": "2", "other": "3"}))
        c = ChangeSet(record(), 5000, MappingProxyType({"a": "10", "new": "4"}), frozenset({"b", "never"}),
                      principal_changed=True, principal="alice")
        merged = c.apply_to(stored)
        self.assertEqual({"a": "10", "new": "4", "other": "3"}, dict(merged.attrs))
        self.assertEqual((5000, 4, "alice"), (merged.last_access, merged.version, merged.principal))

    def test_the_last_access_never_moves_back(self):
        self.assertEqual(9000, ChangeSet(record(), 5000).apply_to(record(last_access=9000)).last_access)

    def test_nothing_is_written_for_an_absent_or_expired_session_or_one_this_change_ends(self):
        c = ChangeSet(record(), 5000, MappingProxyType({"a": "1"}))
        self.assertIsNone(c.apply_to(None))
        self.assertIsNone(c.apply_to(record(last_access=1000, idle_timeout_ms=4000)))
        self.assertIsNone(c.apply_to(record(deadline=5000)))
        self.assertIsNone(ChangeSet(record(), 5000, deadline_changed=True, deadline=4000).apply_to(record()))


if __name__ == "__main__":
    unittest.main()
