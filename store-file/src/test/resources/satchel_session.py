"""Read and write Satchel's session files with Python's standard library alone.

The store-file README shows this code; PythonInteropTest runs it against files the Java store writes.

    python3 satchel_session.py modify STORE SID        # count += 1 and from = "python", under the session's lock
    python3 satchel_session.py create STORE [NAME]     # a new session (with principal NAME); prints its id
    python3 satchel_session.py login STORE SID NAME    # sets the principal ("-": clears it), keeping the index right
    python3 satchel_session.py remove STORE SID        # deletes the session and its index entry
    python3 satchel_session.py show STORE SID          # prints the stored document
    python3 satchel_session.py hold STORE SID          # holds the session's lock until a line arrives
"""
import base64
import errno
import fcntl
import hashlib
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


def principal_folder(store, principal):
    """STORE/principals/<h[:2]>/<h>, h the hex SHA-256 of the principal's UTF-8 (a lone surrogate as '?')."""
    h = hashlib.sha256(principal.encode("utf-8", "replace")).hexdigest()
    return os.path.join(store, "principals", h[:2], h)


def index_add(store, principal, sid):
    """Adds session sid's index entry under principal. Hold the session's lock; call BEFORE the file names it."""
    folder = principal_folder(store, principal)
    for attempt in range(5):
        for level in (os.path.dirname(os.path.dirname(folder)), os.path.dirname(folder), folder):
            try:
                os.mkdir(level, 0o700)
            except FileExistsError:
                pass
        try:
            fd = os.open(os.path.join(folder, file_name(sid)), os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except FileNotFoundError:
            continue  # another writer removed the folder as empty just now: create it again
        os.close(fd)
        dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)  # the entry is on disk before the session file names the principal
        finally:
            os.close(dfd)
        return
    raise OSError(errno.ENOENT, "principal index folder keeps vanishing")


def index_remove(store, principal, sid):
    """Removes session sid's index entry under principal, then the folder if empty. Hold the session's lock;
    call AFTER the session file stopped naming the principal (changed, cleared or deleted)."""
    folder = principal_folder(store, principal)
    try:
        os.unlink(os.path.join(folder, file_name(sid)))
    except FileNotFoundError:
        pass
    try:
        os.rmdir(folder)
    except OSError as e:
        if e.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT):
            raise


def save(store, doc, stored_principal):
    """Writes doc, whose stored version named stored_principal (None: none or new), keeping the index right."""
    principal = doc["principal"]
    if principal is not None and principal != stored_principal:
        index_add(store, principal, doc["id"])
    write(store, doc)
    if stored_principal is not None and stored_principal != principal:
        index_remove(store, stored_principal, doc["id"])


def new_id():
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode("ascii")


def new_session(idle_timeout_ms=30 * 60 * 1000):
    now = int(time.time() * 1000)
    return {"v": 1, "id": new_id(), "randval": new_id(), "created": now, "lastAccess": now,
            "idleTimeoutMs": idle_timeout_ms, "deadline": None, "principal": None, "version": 1, "attrs": {}}


def main(command, store, *args):
    sid = args[0] if args else None
    if command == "modify":
        with SessionLock(store, sid):
            doc = read(store, sid)
            doc["attrs"]["count"] += 1
            doc["attrs"]["from"] = "python"
            doc["lastAccess"] = max(doc["lastAccess"], int(time.time() * 1000))
            doc["version"] += 1
            write(store, doc)  # the principal is unchanged: the index stays as it is
    elif command == "create":
        doc = new_session()
        doc["attrs"] = {"greeting": "hej från Python 🐍", "numbers": [1, 2.5, None, True], "big": 2 ** 63 - 1}
        doc["principal"] = args[0] if args else None
        with SessionLock(store, doc["id"]):
            if os.path.lexists(path_of(store, doc["id"])):
                raise SystemExit("id taken")  # never overwrite
            save(store, doc, None)
        print(doc["id"])
    elif command == "login":
        with SessionLock(store, sid):
            doc = read(store, sid)
            stored_principal = doc["principal"]
            doc["principal"] = None if args[1] == "-" else args[1]
            doc["lastAccess"] = max(doc["lastAccess"], int(time.time() * 1000))
            doc["version"] += 1
            save(store, doc, stored_principal)
    elif command == "remove":
        with SessionLock(store, sid):
            doc = read(store, sid)
            if doc is not None:
                os.unlink(path_of(store, sid))
                if doc["principal"] is not None:
                    index_remove(store, doc["principal"], sid)
    elif command == "show":
        print(json.dumps(read(store, sid), ensure_ascii=False))
    elif command == "hold":
        with SessionLock(store, sid):
            print("locked", flush=True)
            sys.stdin.readline()


if __name__ == "__main__":
    main(*sys.argv[1:])
