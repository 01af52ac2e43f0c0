"""A tiny WSGI app on Satchel's sessions: counts visits, shows who is logged in, logs out at /logout.

Configured by the environment: SESSION_KEY (base64 of 32+ random bytes, the Java side's key), SATCHEL_STORE
(file:<dir> — the default, file:/tmp/satchel-sessions — redis://host:port, or a PostgreSQL conninfo), PORT
(default 8000). Plain HTTP on 127.0.0.1, so the cookie is SID without Secure; in production keep Cookie()'s
default, __Host-SID with Secure, on HTTPS.
"""
import os
import sys
from wsgiref.simple_server import make_server

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from satchel import Cookie, FileStore, PostgresStore, RedisStore, Sessions, SigningKeys  # noqa: E402

where = os.environ.get("SATCHEL_STORE", "file:/tmp/satchel-sessions")
store = (FileStore(where[5:]) if where.startswith("file:") else RedisStore(where) if where.startswith("redis")
         else PostgresStore(where))
sessions = Sessions(store, SigningKeys(os.environ["SESSION_KEY"]), cookie=Cookie("SID", secure=False))


def app(environ, start_response):
    session = environ["satchel.session"]
    if environ["PATH_INFO"] == "/logout":
        sessions.invalidate(session)
    else:
        session["visits"] = session.get("visits", 0) + 1
    body = "visits: %d, user: %s\n" % (session.get("visits", 0), session.principal or "-")
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [body.encode("utf-8")]


make_server("127.0.0.1", int(os.environ.get("PORT", "8000")), sessions.wsgi(app)).serve_forever()
