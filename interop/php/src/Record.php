<?php
declare(strict_types=1);

namespace Satchel;

/**
 * One stored session, immutable. {@see $attrs} maps each attribute name to its exact JSON text (PHP turns
 * numeric names into int keys: cast a key to string before use). Times are epoch milliseconds.
 */
final class Record
{
    /** @param array<string|int, string> $attrs */
    public function __construct(
        public readonly string $id,
        public readonly string $randval,
        public readonly int $created,
        public readonly int $lastAccess,
        public readonly int $idleTimeoutMs,
        public readonly ?int $deadline,
        public readonly ?string $principal,
        public readonly int $version,
        public readonly array $attrs = [],
    ) {
    }

    /** A copy with the named fields changed, e.g. {@code $r->with(version: 2)}. */
    public function with(mixed ...$changes): self
    {
        return new self(...array_merge(get_object_vars($this), $changes));
    }

    /** {@code min(lastAccess + idleTimeoutMs, deadline)}, epoch milliseconds. */
    public function expiresAt(): int
    {
        $idleEnd = $this->idleTimeoutMs > PHP_INT_MAX - $this->lastAccess ? PHP_INT_MAX : $this->lastAccess + $this->idleTimeoutMs;
        return $this->deadline === null ? $idleEnd : min($idleEnd, $this->deadline);
    }

    public function isExpiredAt(int $now): bool
    {
        return $now >= $this->expiresAt();
    }

    /** Never the id, randval or values: records end up in logs. */
    public function __debugInfo(): array
    {
        return ['version' => $this->version, 'attributes' => count($this->attrs)];
    }
}
