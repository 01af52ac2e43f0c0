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
    public readonly Cookie $cookie;
    private readonly \Closure $clock;

    /**
     * @param int $idleTimeout seconds a session may go unused
     * @param ?int $absoluteTimeout seconds a session may live however active, null for no limit (not recommended)
     * @param ?\Closure $clock returns epoch milliseconds; the system clock by default
     */
    public function __construct(
        public readonly Store $store,
        public readonly SigningKeys $keys,
        ?Cookie $cookie = null,
        public readonly int $idleTimeout = 1800,
        public readonly ?int $absoluteTimeout = 43200,
        public readonly float $touchThreshold = 0.1,
        ?\Closure $clock = null,
    ) {
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
            if (!$this->store->create($initial)) {
                throw new StoreException('a session with this id already exists');
            }
            $session->saved($initial);
            return $this->cookieFor($session);
        }
        $base = $session->record();
        $write = $session->isModified() || $now - $base->lastAccess >= (int) ($this->touchThreshold * $base->idleTimeoutMs);
        if ($write) {
            $merged = $this->apply($session->changes($now));
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
     * The request's changes are merged into the stored session, which is then removed; if that finds it
     * gone (logged out elsewhere, or expired) the answer is false, nothing is stored and the next commit
     * expires the cookie. Then the merged state is stored under the new id. A process that dies between the
     * removal and the new record loses the session: a logout, never a revival.
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
        $merged = $this->apply($session->changes($now));
        if ($merged === null || !$this->store->delete($session->id())) {
            $session->invalidated = true;
            return false;
        }
        $rotated = $merged->with(id: Ids::newId(), randval: Ids::newId(), lastAccess: $now, version: 1);
        if (!$this->store->create($rotated)) {
            throw new StoreException('a session with this id already exists');
        }
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
