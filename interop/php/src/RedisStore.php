<?php
declare(strict_types=1);

namespace Satchel;

/**
 * Sessions in a Redis shared with Satchel's Java Redis store, over {@see Resp}: one hash per session,
 * {@code <ns>:session:{<sid>}}, changed only by the very Lua scripts the Java store runs — read from
 * {@code $scripts}, by default store-redis's own folder in this repository: the per-attribute merge that
 * refuses to resurrect and sets the expiry, the create that never overwrites, the delete. Every write publishes
 * the id on {@code <ns>:invalidations} as the Java store does, so Java caches that listen drop their copy
 * ({@code $publishInvalidations = false} for a Java store built with {@code InvalidationMode.NONE}).
 * The principal index {@code <ns>:principal:{<name>}} is kept in step as the Java store keeps it (docs/format.md
 * §7). URL: {@code redis://[[user]:password@]host[:port][/db]}, or {@code rediss://} for TLS.
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
        foreach (['create', 'apply', 'delete', 'index-add', 'index-remove'] as $name) {
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

    /**
     * Creates the hash, then (with a principal) its index entry, as the Java store does; if the entry cannot
     * be written the session is deleted again and the failure thrown (no cookie names it).
     */
    public function create(Record $r): bool
    {
        $args = [(string) min($r->expiresAt(), self::MAX_EXPIRE_AT), '', 'v', '1', 'id', $r->id,
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
        // A retry (its first attempt may have stored the hash and lost the answer) names the randval, so the
        // script recognises its own hash instead of reporting the id taken.
        $retry = $args;
        $retry[1] = $r->randval;
        if ($this->script('create', $this->sessionKey($r->id), $args, $retry) !== 1) {
            return false;
        }
        if ($r->principal !== null) {
            try {
                $this->index($r->principal, $r->id, self::score($r->deadline), $r->lastAccess);
            } catch (StoreException $e) {
                $this->delete($r->id);
                throw $e;
            }
        }
        return true;
    }

    public function apply(ChangeSet $c): ?Record
    {
        $id = $c->sessionId();
        $newPrincipal = $c->principalChanged ? $c->principal : null;
        if ($newPrincipal !== null) {
            $this->index($newPrincipal, $id, $c->deadlineChanged ? self::score($c->deadline) : 'inf', $c->accessTime);
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
        if ($answer[0] === 0) {
            return null;
        }
        if ($answer[0] === -2) { // a format version other than 1, judged by v alone
            $newer = (int) $answer[1] > 1;
            throw new UnreadableEntry('session hash has ' . ($newer ? 'a newer' : 'an unsupported') . ' format version', $newer);
        }
        if ($answer[0] < 0) {
            throw new UnreadableEntry('session hash is not a complete session: nothing was merged into it');
        }
        $merged = $answer[0] === 2 ? $c->applyTo($c->base) : Codec::decodeHash(self::fields($answer[2]));
        if ($merged === null && ($merged = $this->load($id)) === null) {
            return null;
        }
        $oldPrincipal = $answer[1];
        if ($c->principalChanged && $oldPrincipal !== null && $oldPrincipal !== $newPrincipal) {
            $this->forget($oldPrincipal, $id);
        }
        if ($merged->principal !== null && ($c->principalChanged ? $merged->deadline !== null && !$c->deadlineChanged
                : $c->deadlineChanged)) {
            $this->index($merged->principal, $id, self::score($merged->deadline), $c->accessTime); // the real score, now known
        }
        return $merged;
    }

    /** Deletes the hash, publishes the removal, and takes the session out of its principal's index. */
    public function delete(string $id): bool
    {
        [$deleted, $principal] = $this->script('delete', $this->sessionKey($id), [$this->channel, $id]);
        if ($principal !== null) {
            $this->forget($principal, $id);
        }
        return $deleted > 0;
    }

    private function index(string $principal, string $id, string $score, int $now): void
    {
        $this->script('index-add', $this->principalKey($principal), [(string) $now, $score, $id]);
    }

    /** Takes {@code $id} out of the principal's index; a failure only leaves a stale entry, which lookups prune. */
    private function forget(string $principal, string $id): void
    {
        try {
            $this->script('index-remove', $this->principalKey($principal), [$id]);
        } catch (StoreException) {
            // a stale index entry is pruned later; lookups never trust one
        }
    }

    /**
     * Runs a script by its SHA-1, and by its text where Redis answers NOSCRIPT. A broken connection is tried
     * once more, on a fresh one, with {@code $retryArgs} when given (every script is safe to repeat).
     *
     * @param list<string> $args
     * @param list<string>|null $retryArgs
     */
    private function script(string $name, string $key, array $args, ?array $retryArgs = null): mixed
    {
        [$body, $sha] = $this->scripts[$name];
        for ($attempt = 1; ; $attempt++) {
            $use = $attempt === 1 || $retryArgs === null ? $args : $retryArgs;
            try {
                try {
                    return $this->redis->call('EVALSHA', $sha, '1', $key, ...$use);
                } catch (RespError $e) {
                    if (!str_starts_with($e->getMessage(), 'NOSCRIPT')) {
                        throw $e;
                    }
                    return $this->redis->call('EVAL', $body, '1', $key, ...$use);
                }
            } catch (RespError $e) {
                throw $e;
            } catch (StoreException $e) {
                if ($attempt === 2) {
                    throw $e;
                }
            }
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
