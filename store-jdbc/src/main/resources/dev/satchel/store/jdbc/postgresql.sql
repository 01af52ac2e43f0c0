-- Satchel sessions, format version 1. Times are epoch milliseconds (the stored document's numbers).
CREATE TABLE IF NOT EXISTS ${table} (
    id              text COLLATE "C" PRIMARY KEY,          -- session id: 22 characters [A-Za-z0-9_-]
    randval         text COLLATE "C" NOT NULL,             -- server-side secret the cookie's digest covers
    created_ms      bigint NOT NULL,                       -- creation time
    last_access_ms  bigint NOT NULL,                       -- last stored access
    idle_timeout_ms bigint NOT NULL CHECK (idle_timeout_ms > 0),
    deadline_ms     bigint,                                -- absolute deadline; NULL: none
    expires_at_ms   bigint NOT NULL,                       -- min(last_access_ms + idle_timeout_ms, deadline_ms)
    principal       varchar(512),                          -- logged-in user name; NULL: none
    version         bigint NOT NULL,                       -- stored changes so far, 1 after creation
    format_version  integer NOT NULL,                      -- the document's "v": 1; other values are left alone
    attributes      jsonb NOT NULL CHECK (jsonb_typeof(attributes) = 'object') -- name -> JSON text of the value
);
CREATE INDEX IF NOT EXISTS ${name}_expires_at ON ${table} (expires_at_ms);
CREATE INDEX IF NOT EXISTS ${name}_principal ON ${table} (principal) WHERE principal IS NOT NULL;
