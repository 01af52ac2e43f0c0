<?php
declare(strict_types=1);

namespace Satchel;

/**
 * Sessions in a Redis shared with Satchel's Java Redis store, over {@see Resp}: one hash per session,
 * {@code <ns>:session:{<sid>}}, changed only by the very Lua scripts the Java store runs — read from
 * {@code $scripts}, by default store-redis's own folder in this repository: the per-attribute merge that
 * refuses to resurrect and sets the expiry, the create that never overwrites, the delete. Every write publishes the id on
 * {@code <ns>:invalidations} as the Java store does, so Java caches that listen drop their copy
 * ({@code $publishInvalidations = false} for a Java store built with {@code InvalidationMode.NONE}).
 * Logging in adds the session to the principal index {@code <ns>:principal:{<name>}} first, as the Java
 * store does. URL: {@code redis://[[user]:password@]host[:port][/db]}, or {@code rediss://} for TLS.
 */
final class RedisStore implements Store
{
    /** Expiry instants are capped at 2^52 ms so that they stay exact in Lua's numbers; the scripts cap them too. */
    public const MAX_EXPIRE_AT = 4503599627370496;

    private readonly Resp $redis;
    private readonly string $namespace;
    private readonly string $channel;
    /** @var array<string, array{0: string, 1: string}> script name to [body, sha1] */
    private array $scripts = [];

    public function __construct(
        #[\SensitiveParameter] string $url,
        string $namespace = 'satchel',
        float $timeout = 1.0,
        bool $publishInvalidations = true,
        ?string $scripts = null,
    ) {
        $u = parse_url($url);
        if ($u === false || !in_array($u['scheme'] ?? '', ['redis', 'rediss'], true) || ($u['host'] ?? '') === '') {
            throw new \InvalidArgumentException('a Redis URL is redis://[[user]:password@]host[:port][/db] or rediss://...');
        }
        $path = ltrim($u['path'] ?? '', '/');
        if ($path !== '' && !ctype_digit($path)) {
            throw new \InvalidArgumentException('the path of a Redis URL is /<database number>');
        }
        $this->redis = new Resp($u['host'], $u['port'] ?? 6379, $u['scheme'] === 'rediss',
            isset($u['user']) && $u['user'] !== '' ? rawurldecode($u['user']) : null,
            isset($u['pass']) ? rawurldecode($u['pass']) : null, (int) $path, $timeout);
        $this->namespace = $namespace;
        $this->channel = $publishInvalidations ? "$namespace:invalidations" : '';
        $dir = $scripts ?? dirname(__DIR__, 3) . '/store-redis/src/main/resources/dev/satchel/store/redis';
        foreach (['create', 'apply', 'delete', 'index-add'] as $name) {
            $body = @file_get_contents("$dir/$name.lua");
            if ($body === false) {
                throw new \LogicException("Satchel: the Redis store's script $name.lua is not in $dir: copy store-redis's "
                    . 'scripts (store-redis/src/main/resources/dev/satchel/store/redis/) and give their folder as $scripts');
            }
            $this->scripts[$name] = [$body, sha1($body)];
        }
    }

    public function canChangePrincipal(): bool
    {
        return true;
    }

    public function sessionKey(string $id): string
    {
        return $this->namespace . ':session:{' . $id . '}';
    }

    public function principalKey(string $principal): string
    {
        return $this->namespace . ':principal:{' . $principal . '}';
    }

    public function load(string $id): ?Record
    {
        try {
            return Codec::decodeHash(self::fields($this->redis->call('HGETALL', $this->sessionKey($id))));
        } catch (RespError $e) {
            if (str_starts_with($e->getMessage(), 'WRONGTYPE')) {
                throw new UnreadableEntry('the session key holds another type');
            }
            throw $e;
        }
    }

    public function create(Record $r): bool
    {
        if ($r->principal !== null) {
            // Before the session exists, so no failure between the two leaves it unindexed.
            $this->index($r->principal, $r->id, self::score($r->deadline));
        }
        $args = [(string) min($r->expiresAt(), self::MAX_EXPIRE_AT), $r->randval, 'v', '1', 'id', $r->id,
            'randval', $r->randval, 'created', (string) $r->created, 'lastAccess', (string) $r->lastAccess,
            'idleTimeoutMs', (string) $r->idleTimeoutMs];
        if ($r->deadline !== null) {
            array_push($args, 'deadline', (string) $r->deadline);
        }
        if ($r->principal !== null) {
            array_push($args, 'principal', $r->principal);
        }
        array_push($args, 'version', (string) $r->version);
        foreach ($r->attrs as $name => $json) {
            array_push($args, Codec::ATTRIBUTE_PREFIX . $name, $json);
        }
        return $this->script('create', $this->sessionKey($r->id), $args) === 1;
    }

    public function apply(ChangeSet $c): ?Record
    {
        $id = $c->sessionId();
        $newPrincipal = $c->principalChanged ? $c->principal : null;
        if ($newPrincipal !== null) {
            $this->index($newPrincipal, $id, $c->deadlineChanged ? self::score($c->deadline) : 'inf');
        }
        $args = [(string) $c->accessTime, $c->idleTimeoutMs > 0 ? (string) $c->idleTimeoutMs : '',
            !$c->deadlineChanged ? '' : ($c->deadline === null ? '-' : (string) $c->deadline),
            !$c->principalChanged ? '0' : ($c->principal === null ? '2' : '1'), $c->principal ?? '',
            $this->channel, $id, (string) $c->base->version, (string) count($c->removed)];
        foreach ($c->removed as $name) {
            $args[] = Codec::ATTRIBUTE_PREFIX . $name;
        }
        foreach ($c->set as $name => $json) {
            array_push($args, Codec::ATTRIBUTE_PREFIX . $name, $json);
        }
        $answer = $this->script('apply', $this->sessionKey($id), $args);
        if ($answer[0] <= 0) {
            if ($answer[0] < 0) {
                throw new UnreadableEntry('the stored session hash is unreadable or of a newer format');
            }
            return null;
        }
        $merged = $answer[0] === 2 ? $c->applyTo($c->base) : Codec::decodeHash(self::fields($answer[2]));
        if ($merged === null && ($merged = $this->load($id)) === null) {
            return null;
        }
        $oldPrincipal = $answer[1];
        if ($c->principalChanged && $oldPrincipal !== null && $oldPrincipal !== $newPrincipal) {
            try {
                $this->redis->call('ZREM', $this->principalKey($oldPrincipal), $id);
            } catch (StoreException) {
                // a stale index entry is pruned later; lookups never trust one
            }
        }
        if ($merged->principal !== null && ($c->principalChanged ? $merged->deadline !== null && !$c->deadlineChanged
                : $c->deadlineChanged)) {
            $this->index($merged->principal, $id, self::score($merged->deadline)); // the real score, now known
        }
        return $merged;
    }

    public function delete(string $id): bool
    {
        return $this->script('delete', $this->sessionKey($id), [$this->channel, $id]) > 0;
    }

    private function index(string $principal, string $id, string $score): void
    {
        $this->script('index-add', $this->principalKey($principal), [(string) (int) floor(microtime(true) * 1000), $score, $id]);
    }

    /** @param list<string> $args */
    private function script(string $name, string $key, array $args): mixed
    {
        [$body, $sha] = $this->scripts[$name];
        try {
            return $this->redis->call('EVALSHA', $sha, '1', $key, ...$args);
        } catch (RespError $e) {
            if (!str_starts_with($e->getMessage(), 'NOSCRIPT')) {
                throw $e;
            }
            return $this->redis->call('EVAL', $body, '1', $key, ...$args);
        }
    }

    /** @return array<string, string> */
    private static function fields(array $flat): array
    {
        $fields = [];
        for ($i = 0; $i + 1 < count($flat); $i += 2) {
            $fields[$flat[$i]] = $flat[$i + 1];
        }
        return $fields;
    }

    private static function score(?int $deadline): string
    {
        return $deadline === null ? 'inf' : (string) min($deadline, self::MAX_EXPIRE_AT);
    }
}
