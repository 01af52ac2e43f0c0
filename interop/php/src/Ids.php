<?php
declare(strict_types=1);

namespace Satchel;

/**
 * Session ids and randvals: 128 bits from the operating system's random source, as unpadded base64url,
 * exactly 22 characters of {@code [A-Za-z0-9_-]}, the last one carrying four zero bits (the only
 * canonical form, so two distinct valid ids always name two distinct sessions).
 */
final class Ids
{
    private function __construct()
    {
    }

    /** Whether {@code $candidate} is a valid id; never throws. */
    public static function isValid(mixed $candidate): bool
    {
        return is_string($candidate) && strlen($candidate) === 22
            && preg_match('/\A[A-Za-z0-9_-]{21}[AQgw]\z/', $candidate) === 1;
    }

    public static function newId(): string
    {
        return rtrim(strtr(base64_encode(random_bytes(16)), '+/', '-_'), '=');
    }

    /** The 32 lowercase hex digits of the 16 bytes a valid id encodes: the file store's file name. */
    public static function hex(string $id): string
    {
        return bin2hex(base64_decode(strtr($id, '-_', '+/') . '==', true));
    }
}
