"""Satchel's sessions from Python: read and write the sessions a Java application keeps with Satchel, with
Satchel's signed cookie, on the same stores and with the same guarantees (docs/format.md).

    from satchel import Sessions, SigningKeys, Cookie, FileStore
    sessions = Sessions(FileStore("/var/lib/myapp/sessions"), SigningKeys(os.environ["SESSION_KEY"]))
    app = sessions.wsgi(app)          # environ["satchel.session"] is the request's session

Standard library only; PostgresStore needs psycopg2 (Debian: python3-psycopg2)."""
from ._document import ChangeSet, Record, SessionStoreError, SessionTooLarge, UnreadableEntry, is_valid_id
from ._file_store import FileStore
from ._postgres_store import PostgresStore
from ._redis_store import RedisStore
from ._sessions import Cookie, PrincipalIndexNotDefined, Session, SessionConflict, Sessions, SigningKeys

__all__ = ["ChangeSet", "Cookie", "FileStore", "PostgresStore", "PrincipalIndexNotDefined", "Record", "RedisStore", "Session",
           "SessionConflict", "Sessions", "SessionStoreError", "SessionTooLarge", "SigningKeys", "UnreadableEntry",
           "is_valid_id"]
