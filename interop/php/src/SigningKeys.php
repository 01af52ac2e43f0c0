<?php
declare(strict_types=1);

namespace Satchel;

/**
 * The HMAC-SHA256 keys that sign cookies: the first (newest) signs, every key verifies. Each key is base64
 * text (standard or URL-safe alphabet, padding optional) of at least 32 random bytes, as the Java side's
 * {@code SigningKeys.fromBase64} takes it.
 */
final class SigningKeys
{
    public const MIN_KEY_BYTES = 32;

    /** @var list<string> raw keys, newest first */
    private array $keys = [];

    public function __construct(string $newest, string ...$older)
    {
        foreach ([$newest, ...$older] as $i => $text) {
            $key = base64_decode(strtr(rtrim(trim($text), '='), '-_', '+/'), true);
            if ($key === false) {
                throw new \InvalidArgumentException("signing key $i is not valid base64");
            }
            if (strlen($key) < self::MIN_KEY_BYTES) {
                throw new \InvalidArgumentException("signing key $i is " . strlen($key)
                    . ' bytes; HMAC-SHA256 keys must be at least ' . self::MIN_KEY_BYTES . ' random bytes');
            }
            $this->keys[] = $key;
        }
    }

    /** {@code base64url(HMAC-SHA256(key, sid . ":" . randval))} without padding: 43 characters. */
    public function digest(Record $record, int $key = 0): string
    {
        $mac = hash_hmac('sha256', $record->id . ':' . $record->randval, $this->keys[$key], true);
        return rtrim(strtr(base64_encode($mac), '+/', '-_'), '=');
    }

    /**
     * The index of the key that signed {@code $digest} for {@code $record} (0 is the newest), or -1. Each
     * comparison takes the same time whatever the characters ({@code hash_equals}).
     */
    public function verify(Record $record, string $digest): int
    {
        foreach ($this->keys as $k => $unused) {
            if (hash_equals($this->digest($record, $k), $digest)) {
                return $k;
            }
        }
        return -1;
    }

    /** Never the keys. */
    public function __debugInfo(): array
    {
        return ['keys' => count($this->keys)];
    }
}
