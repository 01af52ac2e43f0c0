<?php
declare(strict_types=1);

namespace Satchel;

/**
 * Sessions in the PostgreSQL table of Satchel's Java JDBC store (its DDL is store-jdbc's
 * {@code postgresql.sql}; this store does not create it), through the {@code pgsql} extension: one row per
 * session; a change is one {@code UPDATE}, the Java store's own merge statement, run on the row as it is
 * when the statement takes its lock. The attributes column maps each name to its value's JSON text, held as
 * a JSON string. {@code $conninfo} is a libpq connection string.
 */
final class PostgresStore implements Store
{
    public const DEFAULT_TABLE = 'satchel_sessions';
    /** The longest principal the table holds (its column is varchar(512)). */
    public const MAX_PRINCIPAL_CHARS = 512;
    private const NEVER = '9223372036854775807';
    private const COLUMNS = 'randval, created_ms, last_access_ms, idle_timeout_ms, deadline_ms, principal, version, '
        . 'format_version, attributes::text';

    /** @var \PgSql\Connection|null */
    private $connection = null;
    private readonly string $t;

    public function __construct(#[\SensitiveParameter] private readonly string $conninfo, string $table = self::DEFAULT_TABLE)
    {
        if (!extension_loaded('pgsql')) {
            throw new \LogicException('PostgresStore needs PHP\'s pgsql extension: install php-pgsql (Debian)');
        }
        if (preg_match('/\A[A-Za-z_][A-Za-z0-9_]{0,62}\z/', $table) !== 1) {
            throw new \InvalidArgumentException('table must be a plain SQL name of letters, digits and underscores');
        }
        $this->t = '"' . $table . '"';
    }

    public function canChangePrincipal(): bool
    {
        return true;
    }

    public function load(string $id): ?Record
    {
        $row = $this->one('SELECT ' . self::COLUMNS . " FROM {$this->t} WHERE id = \$1", [$id]);
        return $row === null ? null : self::record($id, $row);
    }

    public function create(Record $r): bool
    {
        self::checkPrincipal($r->principal);
        array_map([self::class, 'checkName'], array_map('strval', array_keys($r->attrs)));
        return $this->count("INSERT INTO {$this->t} (id, randval, created_ms, last_access_ms, idle_timeout_ms, deadline_ms, "
            . 'expires_at_ms, principal, version, format_version, attributes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, '
            . '$10::jsonb) ON CONFLICT (id) DO NOTHING', [$r->id, $r->randval, $r->created, $r->lastAccess,
            $r->idleTimeoutMs, $r->deadline, $r->expiresAt(), $r->principal, $r->version, self::column($r->attrs)]) === 1;
    }

    public function apply(ChangeSet $c): ?Record
    {
        if ($c->principalChanged) {
            self::checkPrincipal($c->principal);
        }
        array_map([self::class, 'checkName'], array_map('strval', array_keys($c->set)));
        // The Java store's merge (store-jdbc's SqlDialect.mergeAssignments): ChangeSet::applyTo's rules in SQL.
        $access = 'GREATEST(last_access_ms, $2::bigint)';
        $idle = 'COALESCE($3::bigint, idle_timeout_ms)';
        $deadline = 'CASE WHEN $4::boolean THEN $5::bigint ELSE deadline_ms END';
        $merge = "UPDATE {$this->t} SET\n"
            . "    attributes = (attributes - \$8::text[]) || \$9::jsonb,\n"
            . "    last_access_ms = $access,\n"
            . "    idle_timeout_ms = $idle,\n"
            . "    deadline_ms = $deadline,\n"
            . "    principal = CASE WHEN \$6::boolean THEN \$7 ELSE principal END,\n"
            . "    expires_at_ms = LEAST(CASE WHEN $idle > " . self::NEVER . " - $access THEN " . self::NEVER
            . " ELSE $access + $idle END, COALESCE($deadline, " . self::NEVER . ")),\n"
            . "    version = version + 1\n"
            . "WHERE id = \$1 AND format_version = 1 AND expires_at_ms > \$2::bigint AND jsonb_typeof(attributes) = 'object'\n"
            . 'RETURNING ' . self::COLUMNS . ', expires_at_ms';
        $params = [$c->sessionId(), $c->accessTime, $c->idleTimeoutMs > 0 ? $c->idleTimeoutMs : null,
            $c->deadlineChanged ? 't' : 'f', $c->deadlineChanged ? $c->deadline : null,
            $c->principalChanged ? 't' : 'f', $c->principalChanged ? $c->principal : null,
            self::textArray($c->removed), self::column($c->set)];
        for ($attempt = 1; $attempt <= 3; $attempt++) {
            $row = $this->one($merge, $params);
            if ($row !== null) {
                if ((int) $row[9] <= $c->accessTime) { // this change itself ended the session
                    $this->count("DELETE FROM {$this->t} WHERE id = \$1 AND version = \$2", [$c->sessionId(), $row[6]]);
                    return null;
                }
                return self::record($c->sessionId(), $row);
            }
            if ($this->gone($c)) {
                return null;
            }
        }
        throw new StoreException('the session row changed under 3 merges in a row');
    }

    public function delete(string $id): bool
    {
        return $this->count("DELETE FROM {$this->t} WHERE id = \$1", [$id]) > 0;
    }

    /** Why a merge matched no row: gone or expired (deleted now), unreadable (throws), or changed meanwhile. */
    private function gone(ChangeSet $c): bool
    {
        $row = $this->one("SELECT format_version, expires_at_ms, jsonb_typeof(attributes) = 'object' FROM {$this->t} WHERE id = \$1",
            [$c->sessionId()]);
        if ($row === null) {
            return true;
        }
        if ((int) $row[0] !== 1) {
            throw new UnreadableEntry('session row has ' . ((int) $row[0] > 1 ? 'a newer' : 'an unsupported')
                . ' format version', (int) $row[0] > 1);
        }
        if ((int) $row[1] > $c->accessTime) {
            if ($row[2] !== 't') {
                throw new UnreadableEntry("session row's attributes column is not a JSON object");
            }
            return false;
        }
        $this->count("DELETE FROM {$this->t} WHERE id = \$1 AND format_version = 1 AND expires_at_ms <= \$2",
            [$c->sessionId(), $c->accessTime]);
        return true;
    }

    /** @return list<?string>|null */
    private function one(string $sql, array $params): ?array
    {
        $result = $this->query($sql, $params);
        $row = pg_fetch_row($result);
        return $row === false ? null : $row;
    }

    private function count(string $sql, array $params): int
    {
        return pg_affected_rows($this->query($sql, $params));
    }

    private function query(string $sql, array $params): \PgSql\Result
    {
        if ($this->connection === null) {
            $connection = @pg_connect($this->conninfo, PGSQL_CONNECT_FORCE_NEW);
            if ($connection === false) {
                throw new StoreException('cannot connect to PostgreSQL');
            }
            $this->connection = $connection;
        }
        $result = @pg_query_params($this->connection, $sql, $params);
        if ($result === false) {
            $broken = pg_connection_status($this->connection) !== PGSQL_CONNECTION_OK;
            if ($broken) {
                $this->connection = null;
            }
            throw new StoreException($broken ? 'the PostgreSQL connection broke' : 'PostgreSQL refused a statement');
        }
        return $result;
    }

    /** The attributes column: each name mapped to its value's JSON text, held as a JSON string. */
    private static function column(array $attrs): string
    {
        $column = [];
        foreach ($attrs as $name => $json) {
            $column[(string) $name] = $json;
        }
        return $column === [] ? '{}' : json_encode($column, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
    }

    /** A PostgreSQL text[] literal of {@code $names}. */
    private static function textArray(array $names): string
    {
        return '{' . implode(',', array_map(static fn (string $n): string => '"' . addcslashes($n, '"\\') . '"', $names)) . '}';
    }

    private static function checkName(string $name): void
    {
        if (str_contains($name, "\0")) {
            throw new \InvalidArgumentException('an attribute name holds U+0000, which PostgreSQL cannot store in a name');
        }
    }

    private static function checkPrincipal(?string $principal): void
    {
        if ($principal !== null && (Codec::utf16Length($principal) > self::MAX_PRINCIPAL_CHARS || str_contains($principal, "\0"))) {
            throw new \InvalidArgumentException('a principal is at most ' . self::MAX_PRINCIPAL_CHARS . ' characters, without U+0000');
        }
    }

    /** @param list<?string> $row */
    private static function record(string $id, array $row): Record
    {
        [$randval, $created, $last, $idle, $deadline, $principal, $version, $format, $column] = $row;
        if ((int) $format !== 1) {
            throw new UnreadableEntry('session row has ' . ((int) $format > 1 ? 'a newer' : 'an unsupported')
                . ' format version', (int) $format > 1);
        }
        foreach (['created_ms' => $created, 'last_access_ms' => $last, 'idle_timeout_ms' => $idle, 'version' => $version] as $name => $value) {
            if ($value === null || (int) $value < 0) {
                throw new UnreadableEntry("session row's $name is missing or negative");
            }
        }
        if ((int) $idle === 0 || ($deadline !== null && (int) $deadline < 0) || !Ids::isValid($randval)) {
            throw new UnreadableEntry('session row has an invalid timeout or randval');
        }
        $texts = json_decode((string) $column, true, 2);
        if (!is_array($texts) || !str_starts_with((string) $column, '{')) {
            throw new UnreadableEntry('attributes column is not a JSON object');
        }
        $attrs = [];
        foreach ($texts as $name => $json) {
            if (!is_string($json)) {
                throw new UnreadableEntry('attributes column holds a value that is not a string of JSON text');
            }
            $attrs[$name] = Codec::checkedValue($json);
        }
        $deadline = $deadline === null || $deadline === self::NEVER ? null : (int) $deadline;
        return new Record($id, $randval, (int) $created, (int) $last, (int) $idle, $deadline, $principal, (int) $version, $attrs);
    }
}
