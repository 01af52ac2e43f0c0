"""The Python side of the interop tests (see JavaApp for the endpoints), a WSGI app under wsgiref, one thread
per request. Configured by the environment: SATCHEL_STORE (file:<dir>, redis://..., pgsql:<conninfo>),
SATCHEL_KEYS (base64, newest first, comma-separated), SATCHEL_COOKIE (the cookie's name; plain HTTP, so not
Secure). Usage: app.py PORT"""
import json
import os
import sys
import time
from pathlib import Path
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIServer, make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "python"))
from satchel import Cookie, FileStore, PrincipalIndexNotDefined, RedisStore, Sessions, SigningKeys  # noqa: E402

spec = os.environ["SATCHEL_STORE"]
if spec.startswith("file:"):
    store = FileStore(spec[5:])
elif spec.startswith("redis"):
    store = RedisStore(spec)
else:
    from satchel import PostgresStore
    store = PostgresStore(spec[6:])
sessions = Sessions(store, SigningKeys(*os.environ["SATCHEL_KEYS"].split(",")),
                    cookie=Cookie(os.environ["SATCHEL_COOKIE"], secure=False))


def increment(session, name):
    session[name] = session.get(name, 0) + 1
    return str(session[name])


def app(environ, start_response):
    session = environ["satchel.session"]
    q = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    path = environ["PATH_INFO"]
    status = "200 OK"
    if path == "/health":
        body = "ok"
    elif path == "/count":
        body = increment(session, "count")
    elif path == "/inc":
        body = increment(session, q["name"])
    elif path == "/get":
        text = session.get_json(q["name"])
        body = "-" if text is None else json.dumps(json.loads(text))
    elif path == "/whoami":
        body = session.principal or "-"
    elif path == "/login":
        try:
            session.set_principal(q["user"])
            body = "ok" if sessions.rotate_id(session) else "gone"
        except PrincipalIndexNotDefined as e:
            status, body = "409 Conflict", "refused: %s" % e
    elif path == "/logout":
        sessions.invalidate(session)
        body = "bye"
    elif path == "/hold":
        gate = Path(q["gate"])
        Path(str(gate) + ".loaded").touch()
        deadline = time.monotonic() + 30
        while not gate.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        body = increment(session, q["name"])
    else:
        status, body = "404 Not Found", "no such page"
    start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [body.encode("utf-8")]


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


if __name__ == "__main__":
    make_server("127.0.0.1", int(sys.argv[1]), sessions.wsgi(app), server_class=ThreadingWSGIServer).serve_forever()
