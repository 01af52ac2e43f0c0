"""The request lifecycle: cookies, keys, commit, touch, rotation, logout, size, the WSGI middleware."""
import base64
import hashlib
import hmac
import os
import sys
import threading
import unittest
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from satchel import (Cookie, PrincipalIndexNotDefined, Sessions, SessionTooLarge, SigningKeys,  # noqa: E402
                     UnreadableEntry)

KEY = os.urandom(32)
OLD_KEY = os.urandom(32)


class MemoryStore:
    """The store SPI over a dict, merging under a lock as a real store merges atomically."""
    can_change_principal = True

    def __init__(self):
        self.records = {}
        self.lock = threading.Lock()
        self.writes = 0

    def load(self, sid):
        return self.records.get(sid)

    def create(self, record):
        with self.lock:
            self.writes += 1
            if record.id in self.records:
                return False
            self.records[record.id] = record
            return True

    def apply(self, changes):
        with self.lock:
            self.writes += 1
            merged = changes.apply_to(self.records.get(changes.session_id))
            if merged is None:
                self.records.pop(changes.session_id, None)
            else:
                self.records[changes.session_id] = merged
            return merged

    def delete(self, sid):
        with self.lock:
            return self.records.pop(sid, None) is not None


class Clock:
    def __init__(self):
        self.now = 1_700_000_000_000

    def __call__(self):
        return self.now


def digest(key, sid, randval):
    mac = hmac.new(key, ("%s:%s" % (sid, randval)).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


class SessionsTest(unittest.TestCase):

    def setUp(self):
        self.store = MemoryStore()
        self.clock = Clock()
        self.sessions = Sessions(self.store, SigningKeys(KEY, OLD_KEY), cookie=Cookie("SID", secure=False),
                                 clock=self.clock)

    def stored(self, **attrs):
        s = self.sessions.open(None)
        for k, v in attrs.items():
            s[k] = v
        header = self.sessions.commit(s)
        return s, header.split(";")[0]

    def test_an_empty_new_session_is_neither_stored_nor_given_a_cookie(self):
        s = self.sessions.open(None)
        self.assertTrue(s.is_new)
        self.assertIsNone(self.sessions.commit(s))
        self.assertEqual({}, self.store.records)

    def test_the_cookie_is_the_sid_and_its_hmac_with_the_newest_key(self):
        s, cookie = self.stored(n=1)
        r = self.store.records[s.id]
        self.assertEqual("SID=%s!%s" % (s.id, digest(KEY, s.id, r.randval)), cookie)
        header = self.sessions.cookie.header("v")
        self.assertEqual("SID=v; Path=/; HttpOnly; SameSite=Lax", header)
        self.assertEqual("SID=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                         self.sessions.cookie.expired_header())
        self.assertEqual((1, 1_700_000_000_000, 1800000, 1_700_000_000_000 + 12 * 3600 * 1000),
                         (r.version, r.last_access, r.idle_timeout_ms, r.deadline))

    def test_a_stored_session_opens_with_its_cookie_among_others(self):
        s, cookie = self.stored(n=1)
        for header in (cookie, "a=b; " + cookie + "; c=d", ' SID = "%s" ' % cookie[4:], "SID=garbage; " + cookie):
            opened = self.sessions.open(header)
            self.assertFalse(opened.is_new, header)
            self.assertEqual(1, opened["n"])

    def test_tampered_forged_and_malformed_cookies_give_a_new_session(self):
        s, cookie = self.stored(n=1)
        sid, d = cookie[4:26], cookie[27:]
        other = "A" + sid[1:] if sid[0] != "A" else "B" + sid[1:]
        for header in ("SID=%s!%s" % (sid, d[:-1] + ("A" if d[-1] != "A" else "B")),
                       "SID=%s!%s" % (other, d), "SID=%s!%s" % (sid, digest(os.urandom(32), sid, "x")),
                       "SID=%s" % sid, "SID=%s!%s=" % (sid, d), "sid=" + cookie[4:], "SID=../../x!" + d, "", "SID="):
            opened = self.sessions.open(header)
            self.assertTrue(opened.is_new, header)
            self.assertNotEqual(sid, opened.id)

    def test_at_most_four_candidates_are_tried(self):
        s, cookie = self.stored(n=1)
        junk = "; ".join("SID=%s!%s" % (s.id, "A" * 43) for _ in range(4))
        self.assertTrue(self.sessions.open(junk + "; " + cookie).is_new)
        self.assertFalse(self.sessions.open(junk.rsplit(";", 1)[0] + "; " + cookie).is_new)

    def test_a_cookie_signed_with_an_older_key_is_accepted_and_reissued(self):
        s, _ = self.stored(n=1)
        r = self.store.records[s.id]
        opened = self.sessions.open("SID=%s!%s" % (s.id, digest(OLD_KEY, s.id, r.randval)))
        self.assertFalse(opened.is_new)
        self.assertEqual("SID=%s!%s" % (s.id, digest(KEY, s.id, r.randval)), self.sessions.commit(opened).split(";")[0])

    def test_changes_merge_into_what_is_stored_now(self):
        s, cookie = self.stored(a=1, b=2)
        one, two = self.sessions.open(cookie), self.sessions.open(cookie)
        one["a"] = 10
        two["c"] = 3
        del two["b"]
        self.assertIsNone(self.sessions.commit(one))
        self.assertIsNone(self.sessions.commit(two))
        self.assertEqual({"a": 10, "c": 3}, dict(self.sessions.open(cookie)))

    def test_reading_writes_nothing_until_the_touch_is_due(self):
        s, cookie = self.stored(n=1)
        writes = self.store.writes
        self.clock.now += 179_999
        self.assertIsNone(self.sessions.commit(self.sessions.open(cookie)))
        self.assertEqual(writes, self.store.writes)
        self.clock.now += 1
        self.sessions.commit(self.sessions.open(cookie))
        self.assertEqual(writes + 1, self.store.writes)
        self.assertEqual(self.clock.now, self.store.records[s.id].last_access)

    def test_a_session_removed_meanwhile_is_not_brought_back_and_its_cookie_expires(self):
        s, cookie = self.stored(n=1)
        opened = self.sessions.open(cookie)
        self.sessions.invalidate(self.sessions.open(cookie))
        opened["n"] = 2
        self.assertIn("Max-Age=0", self.sessions.commit(opened))
        self.assertEqual({}, self.store.records)

    def test_an_expired_session_is_absent(self):
        s, cookie = self.stored(n=1)
        self.clock.now += 1_800_000
        self.assertTrue(self.sessions.open(cookie).is_new)

    def test_rotation_keeps_the_data_and_kills_the_old_id(self):
        s, cookie = self.stored(n=1)
        opened = self.sessions.open(cookie)
        opened.set_principal("alice")
        self.assertTrue(self.sessions.rotate_id(opened))
        new_cookie = self.sessions.commit(opened).split(";")[0]
        self.assertNotIn(s.id, self.store.records)
        again = self.sessions.open(new_cookie)
        self.assertEqual(("alice", 1), (again.principal, again["n"]))
        self.assertTrue(self.sessions.open(cookie).is_new)

    def test_rotation_after_a_logout_elsewhere_fails_and_stores_nothing(self):
        s, cookie = self.stored(n=1)
        opened = self.sessions.open(cookie)
        self.sessions.invalidate(self.sessions.open(cookie))
        self.assertFalse(self.sessions.rotate_id(opened))
        self.assertEqual({}, self.store.records)
        self.assertIn("Max-Age=0", self.sessions.commit(opened))

    def test_a_session_over_the_maximum_size_is_refused_before_anything_is_written(self):
        sessions = Sessions(self.store, SigningKeys(KEY), cookie=Cookie("SID", secure=False), max_session_bytes=1024)
        s = sessions.open(None)
        s["big"] = "x" * 1000
        with self.assertRaises(SessionTooLarge):
            sessions.commit(s)
        self.assertEqual({}, self.store.records)
        small = sessions.open(None)
        small["n"] = 1
        cookie = sessions.commit(small).split(";")[0]
        grown = sessions.open(cookie)
        grown["big"] = "x" * 1000
        with self.assertRaises(SessionTooLarge):
            sessions.commit(grown)
        self.assertEqual({"n": "1"}, dict(self.store.records[small.id].attrs))

    def test_a_store_that_cannot_index_principals_refuses_a_login_before_anything_changes(self):
        self.store.can_change_principal = False
        s, cookie = self.stored(n=1)
        with self.assertRaises(PrincipalIndexNotDefined):
            self.sessions.open(cookie).set_principal("alice")

    def test_an_unreadable_entry_is_absent_and_not_written_to(self):
        class Unreadable(MemoryStore):
            def load(self, sid):
                raise UnreadableEntry("damaged")

            def apply(self, changes):
                raise UnreadableEntry("damaged")
        store = Unreadable()
        sessions = Sessions(store, SigningKeys(KEY), cookie=Cookie("SID", secure=False))
        with self.assertLogs("satchel", "WARNING") as logs:
            self.assertTrue(sessions.open("SID=%s!%s" % ("A" * 22, "A" * 43)).is_new)
        self.assertEqual(["WARNING:satchel:Treating an unreadable session entry as absent: damaged"], logs.output)

    def test_values_read_are_copies_and_removals_of_unseen_attributes_are_saved(self):
        s, cookie = self.stored(cart=[1])
        opened = self.sessions.open(cookie)
        opened["cart"].append(2)
        self.assertEqual([1], opened["cart"])
        with self.assertRaises(KeyError):
            del opened["never"]
        opened.remove("added-elsewhere")
        self.assertEqual(frozenset({"added-elsewhere"}), opened._changes(0).removed)

    def test_the_middleware_commits_when_the_response_starts(self):
        seen = []

        def app(environ, start_response):
            session = environ["satchel.session"]
            session["n"] = session.get("n", 0) + 1
            start_response("200 OK", [("Content-Type", "text/plain")])
            with self.assertRaisesRegex(RuntimeError, "committed"):
                session["late"] = 1
            return [str(session["n"]).encode()]

        def start_response(status, headers, exc_info=None):
            seen.append(dict(headers))

        wsgi = self.sessions.wsgi(app)
        self.assertEqual([b"1"], wsgi({}, start_response))
        cookie = seen[0]["Set-Cookie"].split(";")[0]
        self.assertEqual([b"2"], wsgi({"HTTP_COOKIE": cookie}, start_response))
        self.assertNotIn("Set-Cookie", seen[1])


class CookieAndKeysTest(unittest.TestCase):

    def test_cookie_rules_are_the_java_sides(self):
        self.assertEqual("__Host-SID=v; Path=/; Secure; HttpOnly; SameSite=Lax", Cookie().header("v"))
        for what, kwargs in {"__Host- needs Secure": dict(secure=False),
                             "__Host- needs Path=/": dict(path="/app"),
                             "__Host- has no Domain": dict(domain="example.com")}.items():
            with self.assertRaises(ValueError, msg=what):
                Cookie(**kwargs)
        for what, args in {"SameSite=None needs Secure": (("SID",), dict(secure=False, same_site="None")),
                           "__Secure- needs Secure": (("__Secure-x",), dict(secure=False)),
                           "bad name": (("a b",), {}), "path with ;": (("SID",), dict(path="/;x")),
                           "bad domain": (("SID",), dict(domain="a..b")),
                           "over 4096 bytes": (("SID",), dict(path="/" + "p" * 4100))}.items():
            with self.assertRaises(ValueError, msg=what):
                Cookie(*args[0], **args[1])
        self.assertEqual("SID=v; Path=/; Domain=example.com; Max-Age=60; HttpOnly; SameSite=Strict",
                         Cookie("SID", secure=False, same_site="Strict", domain=".Example.com",
                                max_age=timedelta(minutes=1)).header("v"))

    def test_the_digest_is_docs_format_test_vector(self):
        from satchel import Record
        keys = SigningKeys("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
        r = Record("p3Vx0R6cTtOmWvDZ0M6i0g", "Yl4bU6dCq3sVJ6x2fP1mZA", 0, 0, 1, None, None, 1)
        self.assertEqual("zS5yzWulQA2V7wdtkP6pI8EGKloC1se6t0ASgAgA6jY", keys.digest(r))

    def test_keys_are_at_least_32_bytes_in_either_base64_alphabet(self):
        raw = bytes(range(200, 232))
        keys = [SigningKeys(base64.b64encode(raw).decode()), SigningKeys(base64.urlsafe_b64encode(raw).decode().rstrip("=")),
                SigningKeys(raw)]
        self.assertEqual(1, len({repr(k) for k in keys}))
        for bad in (os.urandom(31), "not base64!", base64.b64encode(os.urandom(16)).decode()):
            with self.assertRaises(ValueError):
                SigningKeys(bad)
        self.assertNotIn(base64.b64encode(raw).decode()[:8], repr(keys[0]))


if __name__ == "__main__":
    unittest.main()
