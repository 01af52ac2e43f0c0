"""Read and write Satchel's session files with Python's standard library alone.

The store-file README shows this code; PythonInteropTest runs it against files the Java store writes.

    python3 satchel_session.py modify STORE SID   # count += 1 and from = "python", under the session's lock
    python3 satchel_session.py create STORE       # a new session; prints its id
    python3 satchel_session.py show STORE SID     # prints the stored document
    python3 satchel_session.py hold STORE SID     # holds the session's lock until a line arrives
"""
import base64
import fcntl
import json
import os
import secrets
import sys
import time


def file_name(sid):
    """The 32 hex digits naming session sid's file: the hex of the 16 bytes the id encodes."""
    return base64.urlsafe_b64decode(sid + "==").hex()


def path_of(store, sid):
    name = file_name(sid)
    return os.path.join(store, name[:2], name + ".json")


class SessionLock:
    """The session's lock, shared with every Java process using the store: an exclusive fcntl lock on
    byte int(name[:3], 16) of STORE/satchel.lock."""

    def __init__(self, store, sid):
        self.path = os.path.join(store, "satchel.lock")
        self.stripe = int(file_name(sid)[:3], 16)

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.lockf(self.fd, fcntl.LOCK_EX, 1, self.stripe, os.SEEK_SET)
        return self

    def __exit__(self, *exc):
        fcntl.lockf(self.fd, fcntl.LOCK_UN, 1, self.stripe, os.SEEK_SET)
        os.close(self.fd)


def read(store, sid):
    """The stored document of session sid as a dict, or None."""
    try:
        with open(path_of(store, sid), "rb") as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def expires_at(doc):
    idle_end = doc["lastAccess"] + doc["idleTimeoutMs"]
    return idle_end if doc["deadline"] is None else min(idle_end, doc["deadline"])


def write(store, doc):
    """Replaces the file of doc["id"] in one step: a temporary file in the same folder, renamed over it."""
    name = file_name(doc["id"])
    folder = os.path.join(store, name[:2])
    os.makedirs(folder, mode=0o700, exist_ok=True)
    # name.<pid>-0.<n>.tmp: the Java store removes it as a leftover if this process dies before the rename
    temp = os.path.join(folder, "%s.%d-0.%d.tmp" % (name, os.getpid(), time.monotonic_ns()))
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())
    path = os.path.join(folder, name + ".json")
    os.replace(temp, path)
    # Optional: the file's time is the session's expiry, which lets the sweeper skip it until then.
    os.utime(path, (time.time(), expires_at(doc) / 1000))


def new_id():
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode("ascii")


def new_session(idle_timeout_ms=30 * 60 * 1000):
    now = int(time.time() * 1000)
    return {"v": 1, "id": new_id(), "randval": new_id(), "created": now, "lastAccess": now,
            "idleTimeoutMs": idle_timeout_ms, "deadline": None, "principal": None, "version": 1, "attrs": {}}


def main(command, store, sid=None):
    if command == "modify":
        with SessionLock(store, sid):
            doc = read(store, sid)
            doc["attrs"]["count"] += 1
            doc["attrs"]["from"] = "python"
            doc["lastAccess"] = max(doc["lastAccess"], int(time.time() * 1000))
            doc["version"] += 1
            write(store, doc)
    elif command == "create":
        doc = new_session()
        doc["attrs"] = {"greeting": "hej från Python 🐍", "numbers": [1, 2.5, None, True], "big": 2 ** 63 - 1}
        with SessionLock(store, doc["id"]):
            write(store, doc)
        print(doc["id"])
    elif command == "show":
        print(json.dumps(read(store, sid), ensure_ascii=False))
    elif command == "hold":
        with SessionLock(store, sid):
            print("locked", flush=True)
            sys.stdin.readline()


if __name__ == "__main__":
    main(*sys.argv[1:])
