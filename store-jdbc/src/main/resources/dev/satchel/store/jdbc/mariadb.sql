-- Satchel sessions, format version 1. Times are epoch milliseconds (the stored document's numbers).
CREATE TABLE IF NOT EXISTS ${table} (
    id              CHAR(22) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,  -- session id, case-sensitive
    randval         CHAR(22) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,  -- secret the cookie's digest covers
    created_ms      BIGINT NOT NULL,                   -- creation time
    last_access_ms  BIGINT NOT NULL,                   -- last stored access
    idle_timeout_ms BIGINT NOT NULL CHECK (idle_timeout_ms > 0),
    deadline_ms     BIGINT NULL,                       -- absolute deadline; NULL: none
    expires_at_ms   BIGINT NOT NULL,                   -- min(last_access_ms + idle_timeout_ms, deadline_ms)
    principal       VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,  -- logged-in user; NULL: none
    version         BIGINT NOT NULL,                   -- stored changes so far, 1 after creation
    format_version  INT NOT NULL,                      -- the document's "v": 1; other values are left alone
    attributes      JSON NOT NULL CHECK (JSON_TYPE(attributes) = 'OBJECT'),  -- name -> JSON text of the value
    PRIMARY KEY (id),
    INDEX ${name}_expires_at (expires_at_ms),
    INDEX ${name}_principal (principal)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
