<?php
declare(strict_types=1);

namespace Satchel;

/**
 * What one request changed in one stored session, applied to whatever is stored at that moment, so two
 * requests that changed different attributes both keep their change.
 */
final class ChangeSet
{
    /**
     * @param array<string|int, string> $set attribute name to JSON text
     * @param list<string> $removed
     */
    public function __construct(
        public readonly Record $base,
        public readonly int $accessTime,
        public readonly array $set = [],
        public readonly array $removed = [],
        public readonly bool $principalChanged = false,
        public readonly ?string $principal = null,
        public readonly int $idleTimeoutMs = 0,
        public readonly bool $deadlineChanged = false,
        public readonly ?int $deadline = null,
    ) {
    }

    public function sessionId(): string
    {
        return $this->base->id;
    }

    /**
     * The record to store in place of {@code $stored}: this request's attributes set and removed, the rest
     * untouched, the last access moved forward (never back), the version one higher. Null when nothing may
     * be written: {@code $stored} is absent or expired at the access time (a change never resurrects a
     * session), or this change itself ends the session.
     */
    public function applyTo(?Record $stored): ?Record
    {
        if ($stored === null || $stored->isExpiredAt($this->accessTime)) {
            return null;
        }
        $attrs = $stored->attrs;
        foreach ($this->removed as $name) {
            unset($attrs[$name]);
        }
        foreach ($this->set as $name => $json) {
            $attrs[$name] = $json;
        }
        $merged = new Record(
            $stored->id,
            $stored->randval,
            $stored->created,
            max($stored->lastAccess, $this->accessTime),
            $this->idleTimeoutMs > 0 ? $this->idleTimeoutMs : $stored->idleTimeoutMs,
            $this->deadlineChanged ? $this->deadline : $stored->deadline,
            $this->principalChanged ? $this->principal : $stored->principal,
            $stored->version + 1,
            $attrs,
        );
        return $merged->isExpiredAt($this->accessTime) ? null : $merged;
    }
}
