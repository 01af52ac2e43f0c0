"""The file store from Python: the Java store's layout, its lock, and hostile files left alone."""
import json
import logging
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from satchel import (Cookie, FileStore, PrincipalIndexNotDefined, Sessions, SessionStoreError,  # noqa: E402
                     SigningKeys, UnreadableEntry)
from satchel._document import id_bytes  # noqa: E402

logging.getLogger("satchel").addHandler(logging.NullHandler())  # unreadable files are logged: expected here


class FileStoreTest(unittest.TestCase):

    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="satchel-file-store-"))
        self.addCleanup(shutil.rmtree, self.dir)
        self.store = FileStore(self.dir, lock_timeout=0.5)
        self.addCleanup(self.store.close)
        self.sessions = Sessions(self.store, SigningKeys(os.urandom(32)), cookie=Cookie("SID", secure=False))

    def stored(self, **attrs):
        s = self.sessions.open(None)
        for k, v in attrs.items():
            s[k] = v
        return s, self.sessions.commit(s).split(";")[0]

    def path(self, sid):
        name = id_bytes(sid).hex()
        return self.dir / name[:2] / (name + ".json")

    def test_the_layout_is_the_java_stores(self):
        s, _ = self.stored(n=1)
        file = self.path(s.id)
        self.assertEqual(0o600, stat.S_IMODE(file.stat().st_mode))
        self.assertEqual(0o700, stat.S_IMODE(file.parent.stat().st_mode))
        self.assertEqual(0, (self.dir / "satchel.lock").stat().st_size)
        doc = json.loads(file.read_bytes())
        self.assertEqual((1, s.id, {"n": 1}), (doc["v"], doc["id"], doc["attrs"]))
        self.assertEqual(doc["lastAccess"] + doc["idleTimeoutMs"], file.stat().st_mtime_ns // 1_000_000,
                         "the modification time is the expiry")
        self.assertEqual([file.name], [p.name for p in file.parent.iterdir()], "no temporary file is left")

    def test_create_never_overwrites(self):
        s, _ = self.stored(n=1)
        self.assertFalse(self.store.create(s.record))

    def test_threads_changing_different_attributes_lose_nothing(self):
        store = FileStore(self.dir)  # the default 10 s lock wait: fdatasync may be slow on a loaded machine
        self.addCleanup(store.close)
        sessions = Sessions(store, self.sessions.keys, cookie=self.sessions.cookie)
        s, cookie = self.stored(n=0)
        failures = []

        def client(name):
            try:
                for _ in range(25):
                    opened = sessions.open(cookie)
                    opened[name] = opened.get(name, 0) + 1
                    sessions.commit(opened)
            except Exception as e:  # noqa: BLE001 - reported below, in the test's thread
                failures.append(e)
        threads = [threading.Thread(target=client, args=("t%d" % i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual([], failures)
        self.assertEqual({"n": 0, "t0": 25, "t1": 25, "t2": 25, "t3": 25}, dict(sessions.open(cookie)))

    def test_a_lock_held_by_another_process_keeps_writes_out_but_not_reads(self):
        s, cookie = self.stored(n=1)
        stripe = int(id_bytes(s.id).hex()[:3], 16)
        holder = subprocess.Popen([sys.executable, "-c", (
            "import fcntl, os, sys\n"
            "fd = os.open(sys.argv[1], os.O_RDWR)\n"
            "fcntl.lockf(fd, fcntl.LOCK_EX, 1, int(sys.argv[2]), 0)\n"
            "print('locked', flush=True)\n"
            "sys.stdin.readline()\n"), str(self.dir / "satchel.lock"), str(stripe)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual("locked\n", holder.stdout.readline())
            opened = self.sessions.open(cookie)
            self.assertEqual(1, opened["n"])
            opened["n"] = 2
            with self.assertRaisesRegex(SessionStoreError, "another process"):
                self.sessions.commit(opened)
        finally:
            holder.stdin.write("\n")
            holder.stdin.close()
            holder.stdout.close()
            holder.wait(10)
        self.assertEqual(1, self.sessions.open(cookie)["n"])
        self.sessions.commit(opened)
        self.assertEqual(2, self.sessions.open(cookie)["n"])

    def test_links_planted_in_the_store_are_never_followed(self):
        s, cookie = self.stored(n=1)
        file = self.path(s.id)
        target = self.dir / "elsewhere.json"
        file.rename(target)
        file.symlink_to(target)
        with self.assertRaisesRegex(UnreadableEntry, "symbolic link"):
            self.store.load(s.id)
        self.assertTrue(self.sessions.open(cookie).is_new)
        self.assertTrue(file.is_symlink(), "left for the Java store to move aside")
        other, _ = self.stored(n=1)
        shard = self.path(other.id).parent
        moved = self.dir / "moved"
        shard.rename(moved)
        shard.symlink_to(moved)
        with self.assertRaisesRegex(SessionStoreError, "symbolic link"):
            self.store.load(other.id)

    def test_newer_and_corrupt_files_are_reported_and_never_changed(self):
        for content in (b'{"v":2,"id":"whatever"}', b'{"v":1,"id":'):
            s, cookie = self.stored(n=1)
            self.path(s.id).write_bytes(content)
            with self.assertRaises(UnreadableEntry):
                self.store.load(s.id)
            opened = self.sessions.open(cookie)
            self.assertTrue(opened.is_new)
            with self.assertRaises(UnreadableEntry):
                self.store.apply(s._changes(int(time.time() * 1000)))
            self.assertEqual(content, self.path(s.id).read_bytes())

    def test_a_principal_change_is_refused_until_the_file_stores_index_is_defined(self):
        s, cookie = self.stored(n=1)
        with self.assertRaises(PrincipalIndexNotDefined):
            self.sessions.open(cookie).set_principal("alice")
        record = s.record
        with self.assertRaises(PrincipalIndexNotDefined):
            self.store.create(record.with_attrs(record.attrs, id="A" * 22, principal="alice"))
        self.assertFalse(self.path("A" * 22).exists())


if __name__ == "__main__":
    unittest.main()
