<?php
declare(strict_types=1);

namespace Satchel;

/**
 * PHP's native session — {@code session_start()}, {@code $_SESSION}, {@code session_regenerate_id()},
 * {@code session_destroy()}, {@code session_write_close()} — running on {@see Sessions}, with Satchel's
 * cookie and Satchel's stored document. Install it with {@see Sessions::register()} before
 * {@code session_start()}.
 *
 * <p><b>No PHP serialization.</b> The session module moves data between {@code $_SESSION} and a save handler
 * as strings in a serializer's format. This handler takes no part in that: {@code read()} fills
 * {@code $_SESSION} itself, from each attribute's JSON, and returns an empty payload (so the module decodes
 * nothing); {@code write()} ignores its payload and compares {@code $_SESSION} with what the request started
 * from, so that only the attributes this request set or unset are merged into the store — the same merge
 * the Java side does. ({@code session.serialize_handler} is set to {@code php}, whose decoder leaves
 * {@code $_SESSION} alone on an empty payload; the module still encodes {@code $_SESSION} before
 * {@code write()}, and that output is dropped unread.) Values must be JSON data: null, booleans, numbers,
 * strings and arrays; an object is refused with an exception naming the attribute.
 *
 * <p><b>The cookie.</b> PHP's own session cookie is off ({@code session.use_cookies=0}): the handler reads
 * Satchel's cookie from the request, checks its digest, and sends Satchel's Set-Cookie itself — from a
 * {@code header_register_callback()} when output starts (the application must not register another one),
 * or from {@code write()} when no output came first. A new session that gets its first data only after
 * output has started cannot get its cookie: it is not stored, with a warning. A session id can only be
 * rotated before output.
 *
 * <p><b>Mapping.</b> {@code session_start()}: the session the cookie names if it verifies, else a new one
 * (an id set with {@code session_id()} is ignored: ids are never chosen by a caller).
 * {@code session_regenerate_id()} with or without {@code true}: {@see Sessions::rotateId()} — the old id
 * stops working in both cases. {@code session_destroy()}: logout (removed from the store, cookie expired);
 * {@code $_SESSION} keeps its values for the rest of the script, as PHP does ({@see invalidate()} clears it).
 * {@code session_abort()}: nothing is written. {@code session_gc()}: nothing (the Java side sweeps).
 */
final class SessionHandler implements \SessionHandlerInterface, \SessionIdInterface, \SessionUpdateTimestampHandlerInterface
{
    private ?Session $session = null;
    /** @var array<string|int, mixed> $_SESSION as the request read it, or as the last commit saved it */
    private array $snapshot = [];
    /** The values read() puts into $_SESSION during session_regenerate_id(), or null to leave it alone. */
    private ?array $replacement = null;
    /** Whether the request ended its session (logout); a later session_start() gets a new one. */
    private bool $ended = false;
    private bool $rotationFailed = false;
    /** The Set-Cookie value sent, so it is sent once. */
    private ?string $sent = null;

    public function __construct(private readonly Sessions $sessions)
    {
    }

    /** @internal {@see Sessions::register()} */
    public function install(): void
    {
        if (session_status() === PHP_SESSION_ACTIVE) {
            throw new \LogicException('Satchel: register before session_start() (and with session.auto_start off)');
        }
        $settings = [
            'session.use_cookies' => '0',
            'session.use_only_cookies' => '1',
            'session.use_trans_sid' => '0',
            'session.use_strict_mode' => '1',
            'session.lazy_write' => '0',
            'session.serialize_handler' => 'php',
            'session.gc_probability' => '0',
        ];
        foreach ($settings as $name => $value) {
            if (ini_set($name, $value) === false) {
                throw new \LogicException("Satchel: cannot set $name");
            }
        }
        session_set_save_handler($this, true);
        header_register_callback([$this, 'announce']);
    }

    // ------------------------------------------------------------------------------------------ for the app

    /** The request's session (after session_start()). */
    public function session(): Session
    {
        return $this->session ?? throw new \LogicException('Satchel: no session started');
    }

    /** The user name the session is logged in as, or null. */
    public function principal(): ?string
    {
        return $this->session()->principal();
    }

    /**
     * Logs the session in as {@code $name} (rotate the id next: {@see rotateId()}), or out with null; saved
     * at the end of the request.
     */
    public function setPrincipal(?string $name): void
    {
        $this->session()->setPrincipal($name);
    }

    /**
     * {@code session_regenerate_id(true)}, answering false when the session had been logged out elsewhere or
     * had expired: then {@code $_SESSION} is empty and the cookie is expired — treat it like a logout.
     */
    public function rotateId(): bool
    {
        $this->rotationFailed = false;
        return session_regenerate_id(true) && !$this->rotationFailed;
    }

    /** Logout: {@code session_destroy()}, and {@code $_SESSION} emptied. */
    public function invalidate(): void
    {
        session_destroy();
        $_SESSION = [];
    }

    // ------------------------------------------------------------------------------------------ the handler

    public function open(string $path, string $name): bool
    {
        return true;
    }

    public function close(): bool
    {
        return true;
    }

    public function create_sid(): string
    {
        switch (self::caller()) {
            case 'session_regenerate_id':
                return $this->rotate();
            case 'session_start':
            case 'session_reset':
                $this->start();
                return $this->session->id();
            default: // session_create_id(): an id bound to nothing
                return Ids::newId();
        }
    }

    /** Ids come from create_sid() only: one given through session_id() is never taken. */
    public function validateId(string $id): bool
    {
        return false;
    }

    public function read(string $id): string|false
    {
        if ($this->session === null || $id !== $this->session->id()) {
            return false;
        }
        if (self::caller() !== 'session_regenerate_id') {
            $this->replacement = $this->values($this->session->record());
        }
        if ($this->replacement !== null) {
            $_SESSION = $this->replacement;
            $this->snapshot = $this->replacement;
            $this->replacement = null;
        }
        return ''; // nothing for PHP's serializer to decode
    }

    public function write(string $id, string $data): bool
    {
        if ($this->session !== null && $id === $this->session->id()) {
            $this->commit();
        }
        return true;
    }

    public function updateTimestamp(string $id, string $data): bool
    {
        return $this->write($id, $data);
    }

    public function destroy(string $id): bool
    {
        if ($this->session === null || $id !== $this->session->id() || self::caller() === 'session_regenerate_id') {
            return true; // a rotation removes the old id itself, in create_sid()
        }
        $this->sessions->invalidate($this->session);
        $this->ended = true;
        $this->send($this->sessions->cookie->expiredHeader());
        return true;
    }

    public function gc(int $max_lifetime): int|false
    {
        return 0;
    }

    /** @internal the header_register_callback(): the cookie goes out with the first byte of the response */
    public function announce(): void
    {
        if ($this->session === null) {
            return;
        }
        $probe = clone $this->session;
        if (session_status() === PHP_SESSION_ACTIVE) {
            $this->collectChanges($probe);
        }
        $cookie = $this->sessions->cookieToAnnounce($probe);
        $this->send($cookie ?? ($this->ended && $probe->isNew() ? $this->sessions->cookie->expiredHeader() : null));
    }

    // ------------------------------------------------------------------------------------------ internals

    private function start(): void
    {
        if ($this->session === null) {
            $this->session = $this->ended ? $this->sessions->newSession()
                : $this->sessions->open($_SERVER['HTTP_COOKIE'] ?? null);
        } elseif ($this->session->invalidated) {
            $this->session = $this->sessions->newSession();
        } elseif (!$this->session->isNew()) {
            // Started again in the same request: read what is stored now.
            $again = $this->sessions->find($this->session->id());
            if ($again === null) {
                $this->ended = true;
                $again = $this->sessions->newSession();
            }
            $this->session = $again;
        }
    }

    private function rotate(): string
    {
        if (headers_sent()) {
            throw new \LogicException('Satchel: rotate the session id before any output, so its new cookie reaches the browser');
        }
        $session = $this->session();
        if ($session->isNew()) {
            $session->reissue();
            return $session->id(); // $_SESSION stays as it is, and is stored at the end
        }
        $this->collectChanges($session);
        if ($this->sessions->rotateId($session)) {
            $this->replacement = $this->values($session->record());
        } else {
            $this->rotationFailed = true;
            $this->ended = true;
            $this->session = $this->sessions->newSession();
            $this->replacement = [];
        }
        return $this->session->id();
    }

    private function commit(): void
    {
        $session = $this->session;
        $this->collectChanges($session);
        if ($session->isNew() && !$session->isEmpty() && headers_sent() && $this->sent === null) {
            trigger_error('Satchel: a new session got its first data after the response had started, so its cookie '
                . 'cannot be sent; it is not stored (set session data before output, or buffer output)', E_USER_WARNING);
            return;
        }
        $cookie = $this->sessions->commit($session);
        $this->snapshot = is_array($_SESSION ?? null) ? $_SESSION : [];
        $this->send($cookie ?? ($this->ended && $session->isNew() ? $this->sessions->cookie->expiredHeader() : null));
    }

    /** Records in {@code $session} what this request changed in $_SESSION since the snapshot. */
    private function collectChanges(Session $session): void
    {
        $current = is_array($_SESSION ?? null) ? $_SESSION : [];
        foreach ($current as $key => $value) {
            if (!array_key_exists($key, $this->snapshot) || $this->snapshot[$key] !== $value) {
                $session->put((string) $key, $value);
            }
        }
        foreach ($this->snapshot as $key => $unused) {
            if (!array_key_exists($key, $current)) {
                $session->remove((string) $key);
            }
        }
    }

    /** @return array<string|int, mixed> the attributes of {@code $record}, decoded */
    private function values(Record $record): array
    {
        $values = [];
        foreach ($record->attrs as $name => $json) {
            $values[$name] = json_decode($json, true, 512);
        }
        return $values;
    }

    private function send(?string $cookie): void
    {
        if ($cookie !== null && $cookie !== $this->sent && !headers_sent()) {
            header('Set-Cookie: ' . $cookie, false);
            $this->sent = $cookie;
        }
    }

    /** The session_* function of PHP's that called the handler. */
    private static function caller(): string
    {
        foreach (debug_backtrace(DEBUG_BACKTRACE_IGNORE_ARGS, 6) as $frame) {
            if (!isset($frame['class']) && str_starts_with($frame['function'], 'session_')) {
                return $frame['function'];
            }
        }
        return '';
    }
}
