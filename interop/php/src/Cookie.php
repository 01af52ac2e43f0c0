<?php
declare(strict_types=1);

namespace Satchel;

/**
 * The session cookie (RFC 6265), with the rules of Satchel's CookieSpec: HttpOnly always, Secure and
 * SameSite=Lax by default, {@code __Host-} and {@code __Secure-} prefix rules, SameSite=None only with
 * Secure. A cookie whose Set-Cookie would exceed 4,096 bytes is refused (browsers drop it).
 */
final class Cookie
{
    /** The most well-formed candidate cookies tried from one header, each costing one store lookup. */
    public const MAX_CANDIDATES = 4;
    private const VALUE_LENGTH = 22 + 1 + 43;

    public readonly ?string $domain;

    public function __construct(
        public readonly string $name = '__Host-SID',
        public readonly bool $secure = true,
        public readonly string $sameSite = 'Lax',
        public readonly string $path = '/',
        ?string $domain = null,
        public readonly ?int $maxAge = null,
    ) {
        if (preg_match('/\A[!#$%&\'*+\-.^_`|~0-9A-Za-z]+\z/', $name) !== 1) {
            throw new \InvalidArgumentException('cookie name must be a non-empty RFC 6265 token');
        }
        if (!in_array($sameSite, ['Strict', 'Lax', 'None'], true)) {
            throw new \InvalidArgumentException('sameSite must be Strict, Lax or None');
        }
        if (preg_match('#\A/[\x21-\x3A\x3C-\x7E]*\z#', $path) !== 1) {
            throw new \InvalidArgumentException("cookie path must start with '/' and hold only visible ASCII other than ';'");
        }
        if ($domain !== null) {
            $domain = str_starts_with($domain, '.') ? substr($domain, 1) : $domain;
            if (strlen($domain) > 253 || preg_match('/\A[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\z/', $domain) !== 1) {
                throw new \InvalidArgumentException('cookie domain is not a host name');
            }
            $domain = strtolower($domain);
        }
        $this->domain = $domain;
        if ($maxAge !== null && $maxAge < 1) {
            throw new \InvalidArgumentException('cookie max-age must be at least one second');
        }
        $lower = strtolower($name);
        if (str_starts_with($lower, '__host-') && (!$secure || $path !== '/' || $domain !== null)) {
            throw new \InvalidArgumentException('a cookie named __Host-... must be Secure, have Path=/ and no Domain');
        }
        if (str_starts_with($lower, '__secure-') && !$secure) {
            throw new \InvalidArgumentException('a cookie named __Secure-... must be Secure');
        }
        if ($sameSite === 'None' && !$secure) {
            throw new \InvalidArgumentException('SameSite=None requires Secure');
        }
        if (strlen($this->header(str_repeat('x', self::VALUE_LENGTH))) > 4096) {
            throw new \InvalidArgumentException('the Set-Cookie header would exceed 4,096 bytes, which browsers drop');
        }
    }

    /** The Set-Cookie header value carrying {@code $value}. */
    public function header(string $value): string
    {
        return $this->name . '=' . $value . $this->attributes($this->maxAge);
    }

    /** A Set-Cookie header value that makes the browser drop the cookie. */
    public function expiredHeader(): string
    {
        return $this->name . '=' . $this->attributes(0) . '; Expires=Thu, 01 Jan 1970 00:00:00 GMT';
    }

    /**
     * The well-formed values of this cookie in a Cookie request header, in order, as {@code [sid, digest]}
     * pairs: lenient about whitespace, empty pairs and quotes; at most {@see MAX_CANDIDATES}.
     *
     * @return list<array{0: string, 1: string}>
     */
    public function candidates(string $header): array
    {
        $found = [];
        foreach (explode(';', $header) as $pair) {
            $eq = strpos($pair, '=');
            if ($eq === false || trim(substr($pair, 0, $eq), " \t") !== $this->name) {
                continue;
            }
            $value = trim(substr($pair, $eq + 1), " \t");
            if (strlen($value) >= 2 && $value[0] === '"' && $value[-1] === '"') {
                $value = substr($value, 1, -1);
            }
            if (strlen($value) !== self::VALUE_LENGTH || $value[22] !== '!' || !Ids::isValid(substr($value, 0, 22))
                || preg_match('/\A[A-Za-z0-9_-]{43}\z/', substr($value, 23)) !== 1) {
                continue;
            }
            if (count($found) === self::MAX_CANDIDATES) {
                break;
            }
            $found[] = [substr($value, 0, 22), substr($value, 23)];
        }
        return $found;
    }

    private function attributes(?int $maxAge): string
    {
        return '; Path=' . $this->path
            . ($this->domain !== null ? '; Domain=' . $this->domain : '')
            . ($maxAge !== null ? '; Max-Age=' . $maxAge : '')
            . ($this->secure ? '; Secure' : '')
            . '; HttpOnly; SameSite=' . $this->sameSite;
    }
}
