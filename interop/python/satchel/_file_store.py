"""Satchel's file store (store-file), joined from Python: one JSON document per session under 256 shard
folders, every write a temporary file renamed over the old one, under the same POSIX record lock the Java
store takes (byte ``stripe`` of ``satchel.lock``). See docs/format.md, "File store"."""
import errno
import fcntl
import itertools
import os
import stat
import threading
import time

from ._document import (MAX_DOCUMENT_BYTES, SessionStoreError, UnreadableEntry, decode_document, encode_document,
                        id_bytes)
from ._sessions import PrincipalIndexNotDefined

LOCK_FILE = "satchel.lock"
STRIPES = 4096
#: Latest expiry hint written as a file's modification time (the year 2200), as the Java store caps it.
LATEST_HINT_MILLIS = 7_258_118_400_000
_FSYNC = ("none", "data", "data_and_directory")
_SEQUENCE = itertools.count(1)
_FIRST_PAUSE = 0.00002
_LONGEST_PAUSE = 0.001


class _LockTable:
    """The stripes of one lock file in this process: a thread lock and a byte of the file each. The file is
    opened once per process and never closed while in use, because closing any descriptor of it drops every
    lock the process holds on it."""

    _open = {}
    _guard = threading.Lock()

    def __init__(self, fd):
        self.fd = fd
        self.locks = [threading.Lock() for _ in range(STRIPES)]

    @classmethod
    def of(cls, root_fd):
        with cls._guard:
            try:
                st = os.stat(LOCK_FILE, dir_fd=root_fd, follow_symlinks=False)
            except FileNotFoundError:
                st = None
            if st is not None and (st.st_dev, st.st_ino) in cls._open:
                return cls._open[(st.st_dev, st.st_ino)]
            fd = os.open(LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=root_fd)
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                os.close(fd)
                raise SessionStoreError("lock file %s is not a regular file" % LOCK_FILE)
            table = cls._open[(st.st_dev, st.st_ino)] = _LockTable(fd)
            return table

    def hold(self, stripe, timeout):
        return _HeldStripe(self, stripe, timeout)


class _HeldStripe:
    def __init__(self, table, stripe, timeout):
        self.table, self.stripe, self.timeout = table, stripe, timeout

    def __enter__(self):
        deadline = time.monotonic() + self.timeout
        local = self.table.locks[self.stripe]
        if not local.acquire(timeout=self.timeout):
            raise SessionStoreError("a session stayed locked by another thread for more than %.0f s" % self.timeout)
        pause = _FIRST_PAUSE
        try:
            while True:
                try:
                    fcntl.lockf(self.table.fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, self.stripe, os.SEEK_SET)
                    return self
                except OSError as e:
                    if e.errno not in (errno.EAGAIN, errno.EACCES):
                        raise SessionStoreError("locking a session in %s failed: %s" % (LOCK_FILE, e.strerror)) from None
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SessionStoreError("a session stayed locked by another process for more than %.0f s"
                                            % self.timeout)
                time.sleep(min(pause, left))
                pause = min(pause * 2, _LONGEST_PAUSE)
        except BaseException:
            local.release()
            raise

    def __exit__(self, *exc):
        try:
            fcntl.lockf(self.table.fd, fcntl.LOCK_UN, 1, self.stripe, os.SEEK_SET)
        finally:
            self.table.locks[self.stripe].release()


def _failure(what, e):
    # File names are the hex of session ids: keep them out of the message.
    return SessionStoreError("%s: %s" % (what, e.strerror or type(e).__name__))


class FileStore:
    """Sessions in a directory shared with Satchel's Java file store (one host; not a network file system).

    Reads take no lock and see a whole document. ``create``, ``apply`` and ``delete`` hold the session's
    stripe: a thread lock of this process and an exclusive ``fcntl`` lock on byte ``int(hex[:3], 16)`` of
    ``satchel.lock``, which every Java process using the directory respects. Links planted in the store are
    never followed (every operation goes through directory handles). An unreadable or newer-format file is
    reported as ``UnreadableEntry`` and never moved or changed: the Java store deals with it.

    The file store's principal index has no defined format yet, so this store refuses to change who a
    session is logged in as (``can_change_principal`` is false): a login or logout stays on the Java side.
    Thread-safe."""

    can_change_principal = False

    def __init__(self, directory, *, fsync="data", lock_timeout=10.0):
        if fsync not in _FSYNC:
            raise ValueError("fsync must be one of %s" % ", ".join(_FSYNC))
        self.fsync = fsync
        self.lock_timeout = lock_timeout
        real = os.path.realpath(directory)
        try:
            os.makedirs(real, mode=0o700, exist_ok=True)
            self._root = os.open(real, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            self._locks = _LockTable.of(self._root)
        except OSError as e:
            raise SessionStoreError("session directory %s cannot be used: %s" % (real, e.strerror)) from None
        self._writer = "%d-0" % os.getpid()  # pid-start; 0: the Java store keeps it while the pid lives

    # ------------------------------------------------------------------------------------------- the store

    def load(self, sid):
        base = id_bytes(sid).hex()
        try:
            folder = self._folder(base[:2], create=False)
            if folder is None:
                return None
            try:
                return self._read(folder, base, sid)
            finally:
                os.close(folder)
        except OSError as e:
            raise _failure("reading a session file failed", e) from None

    def create(self, record):
        if record.principal is not None:
            self._principal_changed(record.id, None, record.principal)
        def work(folder, base):
            if self._lstat(folder, base + ".json") is not None:
                return False
            self._write(folder, base, record)
            return True
        return self._locked(record.id, True, "writing a session file failed", work)

    def apply(self, changes):
        def work(folder, base):
            stored = self._read(folder, base, changes.session_id)
            if stored is None:
                return None
            merged = changes.apply_to(stored)
            if merged is None:
                self._unlink(folder, base)
                return None
            if merged.principal != stored.principal:
                self._principal_changed(stored.id, stored.principal, merged.principal)
            self._write(folder, base, merged)
            return merged
        return self._locked(changes.session_id, False, "writing a session file failed", work)

    def delete(self, sid):
        return bool(self._locked(sid, False, "deleting a session file failed", self._unlink))

    def _principal_changed(self, sid, old, new):
        """Where a principal index would be kept in step, under the session's lock, before the document is
        written. Its format is not defined yet: refuse, so no session is logged in without an index entry."""
        raise PrincipalIndexNotDefined(
            "the file store's principal index has no defined format yet, so Python must not log a session in or "
            "out there: do it on the Java side, or use Redis or PostgreSQL")

    def close(self):
        """Releases the directory handle; the lock file stays open for other stores of this process."""
        if self._root is not None:
            os.close(self._root)
            self._root = None

    # ------------------------------------------------------------------------------------------- internals

    def _locked(self, sid, create, failure, work):
        base = id_bytes(sid).hex()
        try:
            with self._locks.hold(int(base[:3], 16), self.lock_timeout):
                folder = self._folder(base[:2], create)
                if folder is None:
                    return None
                try:
                    return work(folder, base)
                finally:
                    os.close(folder)
        except OSError as e:
            raise _failure(failure, e) from None

    def _folder(self, shard, create):
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            return os.open(shard, flags, dir_fd=self._root)
        except FileNotFoundError:
            if not create:
                return None
        except OSError as e:
            if e.errno in (errno.ELOOP, errno.ENOTDIR):
                raise SessionStoreError("shard folder %s is a symbolic link or not a directory" % shard) from None
            raise
        try:
            os.mkdir(shard, 0o700, dir_fd=self._root)
        except FileExistsError:
            pass  # created meanwhile by another thread or process
        return os.open(shard, flags, dir_fd=self._root)

    @staticmethod
    def _lstat(folder, name):
        try:
            return os.stat(name, dir_fd=folder, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def _read(self, folder, base, sid):
        name = base + ".json"
        st = self._lstat(folder, name)
        if st is None:
            return None
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableEntry("session file is %s" % ("a symbolic link" if stat.S_ISLNK(st.st_mode)
                                                          else "not a regular file"))
        if st.st_size > MAX_DOCUMENT_BYTES:
            raise UnreadableEntry("session file is larger than %d bytes" % MAX_DOCUMENT_BYTES)
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
        except FileNotFoundError:
            return None  # deleted since
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise UnreadableEntry("session file is not a regular file")
            data = f.read(MAX_DOCUMENT_BYTES + 1)
        record = decode_document(data)
        if record.id != sid:
            raise UnreadableEntry("session file holds the record of another session")
        return record

    def _write(self, folder, base, record):
        data = encode_document(record)
        temp = "%s.%s.%d.tmp" % (base, self._writer, next(_SEQUENCE))
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=folder)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                if self.fsync != "none":
                    os.fdatasync(fd)
            finally:
                os.close(fd)
            os.rename(temp, base + ".json", src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            try:
                os.unlink(temp, dir_fd=folder)
            except OSError:
                pass
            raise
        # The file's time is the session's expiry: the Java sweeper skips it until then.
        hint = min(record.expires_at(), LATEST_HINT_MILLIS) * 1_000_000
        os.utime(base + ".json", ns=(time.time_ns(), hint), dir_fd=folder, follow_symlinks=False)
        if self.fsync == "data_and_directory":
            os.fsync(folder)

    def _unlink(self, folder, base):
        try:
            os.unlink(base + ".json", dir_fd=folder)
        except FileNotFoundError:
            return False
        except IsADirectoryError:
            raise SessionStoreError("session file is a directory; the Java store moves it aside") from None
        if self.fsync == "data_and_directory":
            os.fsync(folder)
        return True
