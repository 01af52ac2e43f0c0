<?php
declare(strict_types=1);

namespace Satchel;

/**
 * Satchel's request lifecycle (the Java side's {@code HttpSessions}) for one PHP application over one store:
 * the signed cookie in, a {@see Session} for the request, this request's changes merged into the store, the
 * Set-Cookie header out. {@see register} makes PHP's own {@code $_SESSION} run on it.
 *
 * A cookie is accepted only when it is {@code sid!digest} for a stored, unexpired session and the digest is
 * that session's HMAC under one of the keys (compared in constant time); anything else gives a new session
 * with a fresh id, never one the client chose. {@see commit} stores a new session once it holds data or a
 * principal, merges a stored session's changes into what is stored now, touches an unchanged one once
 * {@code $touchThreshold} of its idle timeout has passed, and returns the Set-Cookie value to send, if any.
 */
final class Sessions
{
    /** The Java side's default maximum session size, and the largest it allows (half the 32 MiB read limit). */
    public const DEFAULT_MAX_SESSION_BYTES = 8 * 1024 * 1024;
    public const MAX_SESSION_BYTES_LIMIT = 16 * 1024 * 1024;

    public readonly Cookie $cookie;
    private readonly \Closure $clock;

    /**
     * @param int $idleTimeout seconds a session may go unused
     * @param ?int $absoluteTimeout seconds a session may live however active, null for no limit (not recommended)
     * @param int $maxSessionBytes saves whose document would be larger are refused ({@see SessionTooLarge}),
     *     measured as the Java side measures
     * @param ?\Closure $clock returns epoch milliseconds; the system clock by default
     */
    public function __construct(
        public readonly Store $store,
        public readonly SigningKeys $keys,
        ?Cookie $cookie = null,
        public readonly int $idleTimeout = 1800,
        public readonly ?int $absoluteTimeout = 43200,
        public readonly float $touchThreshold = 0.1,
        public readonly int $maxSessionBytes = self::DEFAULT_MAX_SESSION_BYTES,
        ?\Closure $clock = null,
    ) {
        if ($maxSessionBytes < 1024 || $maxSessionBytes > self::MAX_SESSION_BYTES_LIMIT) {
            throw new \InvalidArgumentException('max session bytes must be between 1024 and ' . self::MAX_SESSION_BYTES_LIMIT);
        }
        if ($idleTimeout <= 0 || ($absoluteTimeout !== null && $absoluteTimeout <= 0)) {
            throw new \InvalidArgumentException('timeouts must be positive');
        }
        if ($touchThreshold < 0 || $touchThreshold >= 1) {
            throw new \InvalidArgumentException('touch threshold must be in [0, 1)');
        }
        $this->cookie = $cookie ?? new Cookie();
        $this->clock = $clock ?? static fn (): int => (int) floor(microtime(true) * 1000);
    }

    /** Epoch milliseconds, from this instance's clock. */
    public function now(): int
    {
        return ($this->clock)();
    }

    /** The session the request's cookie names if it verifies, otherwise a new (unsaved) session. */
    public function open(?string $cookieHeader): Session
    {
        foreach ($cookieHeader === null ? [] : $this->cookie->candidates($cookieHeader) as [$id, $digest]) {
            $record = $this->live($id);
            if ($record === null) {
                continue;
            }
            $key = $this->keys->verify($record, $digest);
            if ($key < 0) {
                continue;
            }
            $session = new Session($record, false, $this->store->canChangePrincipal());
            $session->cookieOutdated = $key > 0; // signed with an older key: re-issue under the newest
            return $session;
        }
        return $this->newSession();
    }

    /**
     * The live session {@code $id} names, without checking a cookie: only for an id this request already
     * verified (a second session_start() in one request).
     */
    public function find(string $id): ?Session
    {
        $record = Ids::isValid($id) ? $this->live($id) : null;
        return $record === null ? null : new Session($record, false, $this->store->canChangePrincipal());
    }

    public function newSession(): Session
    {
        $now = $this->now();
        $deadline = $this->absoluteTimeout === null ? null : $now + 1000 * $this->absoluteTimeout;
        return new Session(new Record(Ids::newId(), Ids::newId(), $now, $now, 1000 * $this->idleTimeout, $deadline,
            null, 0), true, $this->store->canChangePrincipal());
    }

    /**
     * Saves what the request did and returns the Set-Cookie value to send, or null.
     *
     * @throws StoreException if the store fails; nothing is half written
     */
    public function commit(Session $session): ?string
    {
        if ($session->invalidated) {
            return $this->cookie->expiredHeader();
        }
        $now = $this->now();
        if ($session->isNew()) {
            if ($session->isEmpty()) {
                return null;
            }
            $initial = $session->changes($now)->applyTo($session->record()->with(lastAccess: $now, version: 0));
            if ($initial === null) {
                return null;
            }
            $this->checkSize($initial);
            if (!$this->store->create($initial)) {
                throw new StoreException('a session with this id already exists');
            }
            $session->saved($initial);
            return $this->cookieFor($session);
        }
        $base = $session->record();
        $write = $session->isModified() || $now - $base->lastAccess >= (int) ($this->touchThreshold * $base->idleTimeoutMs);
        if ($write) {
            $merged = $this->apply($this->checkedChanges($session, $now));
            if ($merged === null) {
                $session->invalidated = true; // removed or expired meanwhile: expire the cookie
                return $this->cookie->expiredHeader();
            }
            $session->saved($merged);
        }
        if ($session->cookieOutdated || ($write && $this->cookie->maxAge !== null)) {
            return $this->cookieFor($session);
        }
        return null;
    }

    /**
     * The Set-Cookie value {@see commit} would return for the session as it is now, without storing
     * anything: for announcing the cookie before the response starts when the store write comes later.
     */
    public function cookieToAnnounce(Session $session): ?string
    {
        if ($session->invalidated) {
            return $this->cookie->expiredHeader();
        }
        if ($session->isNew()) {
            return $session->isEmpty() ? null : $this->cookieValue($session);
        }
        return $session->cookieOutdated || $this->cookie->maxAge !== null ? $this->cookieValue($session) : null;
    }

    /**
     * Gives the session a new id and randval, keeping its data; the old id stops working at once (login).
     * The steps are the Java side's: (1) the request's changes are saved (or its access stored), which fails
     * if the session was removed or expired meanwhile; (2) the result is created under the new id; (3) the
     * old session is touched once more to learn that it still exists — if a logout removed it since (1), the
     * new record is removed again; (4) the old one is removed. False when (1) or (3) found the session gone:
     * treat it like a logout; nothing is stored under a new id and the next commit expires the cookie. A
     * failure never loses the session: until (4) the old id works.
     */
    public function rotateId(Session $session): bool
    {
        if ($session->invalidated) {
            throw new \LogicException('session was invalidated');
        }
        if ($session->isNew()) {
            $session->reissue();
            return true;
        }
        if ($session->principal() !== null && !$this->store->canChangePrincipal()) {
            $session->setPrincipal($session->principal()); // throws PrincipalIndexNotDefined before anything changes
        }
        $now = $this->now();
        $merged = $this->apply($this->checkedChanges($session, $now));
        if ($merged === null) {
            $session->invalidated = true;
            return false;
        }
        $rotated = $merged->with(id: Ids::newId(), randval: Ids::newId(), lastAccess: $now, version: 1);
        if (!$this->store->create($rotated)) {
            throw new StoreException('a session with this id already exists');
        }
        if ($this->apply(new ChangeSet($merged, $now)) === null) {
            $this->store->delete($rotated->id);
            $session->invalidated = true;
            return false;
        }
        $this->store->delete($merged->id);
        $session->saved($rotated);
        $session->cookieOutdated = true;
        return true;
    }

    /** Removes the session from the store (logout); the next commit expires the cookie. */
    public function invalidate(Session $session): void
    {
        if (!$session->isNew()) {
            $this->store->delete($session->id());
        }
        $session->invalidated = true;
    }

    /**
     * Makes PHP's native session ({@code session_start()}, {@code $_SESSION}, {@code session_regenerate_id()},
     * {@code session_destroy()}) run on this instance; see {@see SessionHandler}. Call before session_start().
     */
    public function register(): SessionHandler
    {
        $handler = new SessionHandler($this);
        $handler->install();
        return $handler;
    }

    /**
     * An upper bound of the size in bytes of {@code $record}'s stored document, computed as the Java side does
     * (names as if every character took a six-byte escape, values at their UTF-8 length), so that both sides
     * refuse the same sessions as too large.
     */
    public static function encodedLengthBound(Record $record): int
    {
        $size = 256 + ($record->principal === null ? 0 : 6 * Codec::utf16Length($record->principal));
        foreach ($record->attrs as $name => $json) {
            $size += 6 * Codec::utf16Length((string) $name) + 4 + strlen($json);
        }
        return $size;
    }

    private function checkSize(Record $record): void
    {
        $size = self::encodedLengthBound($record);
        if ($size > $this->maxSessionBytes) {
            throw new SessionTooLarge("session would take about $size bytes stored, over the maximum of "
                . $this->maxSessionBytes . ' bytes; nothing was written');
        }
    }

    /** This request's changes, after checking what they make of the session this request saw. */
    private function checkedChanges(Session $session, int $now): ChangeSet
    {
        $changes = $session->changes($now);
        if ($changes->set !== [] || $changes->removed !== [] || $changes->principalChanged) {
            $seen = $changes->applyTo($session->record()->with(lastAccess: $now));
            if ($seen !== null) {
                $this->checkSize($seen);
            }
        }
        return $changes;
    }

    private function cookieFor(Session $session): string
    {
        $session->cookieOutdated = false;
        return $this->cookieValue($session);
    }

    private function cookieValue(Session $session): string
    {
        return $this->cookie->header($session->id() . '!' . $this->keys->digest($session->record()));
    }

    private function live(string $id): ?Record
    {
        try {
            $record = $this->store->load($id);
        } catch (UnreadableEntry $e) {
            error_log('Satchel: treating an unreadable session entry as absent: ' . $e->getMessage());
            return null;
        }
        if ($record === null || $record->isExpiredAt($this->now()) || $record->id !== $id) {
            return null;
        }
        return $record;
    }

    private function apply(ChangeSet $changes): ?Record
    {
        try {
            return $this->store->apply($changes);
        } catch (UnreadableEntry $e) {
            error_log('Satchel: not saving into an unreadable session entry: ' . $e->getMessage());
            return null;
        }
    }
}
