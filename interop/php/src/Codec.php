<?php
declare(strict_types=1);

namespace Satchel;

/**
 * The stored session, version 1, as docs/format.md defines it: the JSON document (file store, SQL), the
 * Redis hash, and attribute values, with the limits the Java side applies when it reads. Values are
 * checked by a scanner of its own so that every attribute keeps its exact JSON text: an attribute this
 * request did not change is written back byte for byte. No I/O.
 */
final class Codec
{
    public const FORMAT_VERSION = 1;
    /** Deepest nesting of arrays and objects in a stored document (the document itself is level 1). */
    public const MAX_DEPTH = 200;
    /** Deepest nesting of one attribute value: it sits inside the document and its "attrs" object. */
    public const MAX_VALUE_DEPTH = self::MAX_DEPTH - 2;
    /** Longest string, in UTF-16 code units (what Java counts). */
    public const MAX_STRING_CHARS = 16 * 1024 * 1024;
    /** Longest object member name (an attribute name included), in UTF-16 code units. */
    public const MAX_NAME_CHARS = 50000;
    /** Longest number, in characters. */
    public const MAX_NUMBER_CHARS = 1000;
    /** Largest stored document, in bytes of UTF-8. */
    public const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;
    public const ATTRIBUTE_PREFIX = 'a:';

    private const JSON_FLAGS = JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION
        | JSON_THROW_ON_ERROR;
    /** What ends a run of plain string content: a quote, a backslash or a control character. */
    private const STRING_STOPS = "\"\\\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
        . "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f";

    private function __construct()
    {
    }

    /** Length of UTF-8 text in UTF-16 code units, as Java counts characters. */
    public static function utf16Length(string $utf8): int
    {
        return strlen($utf8) - preg_match_all('/[\x80-\xBF]/', $utf8) + preg_match_all('/[\xF0-\xF7]/', $utf8);
    }

    // ------------------------------------------------------------------------------------------ document

    /**
     * The record in stored document {@code $document}.
     *
     * @throws UnreadableEntry if it is not a complete, valid version-1 document within the limits
     */
    public static function decodeDocument(string $document): Record
    {
        self::requireUtf8($document, 'session document');
        $i = self::ws($document, 0);
        if (($document[$i] ?? '') !== '{') {
            throw new UnreadableEntry('session document is not a JSON object');
        }
        [$members, $end] = self::members($document, $i, 1);
        if (self::ws($document, $end) !== strlen($document)) {
            throw new UnreadableEntry('session document does not end after its object');
        }
        $fields = [];
        $attrs = [];
        foreach ($members as [$name, $start, $stop]) {
            if ($name === 'attrs') {
                $attrs = [];
                if ($document[$start] === '{') {
                    foreach (self::members($document, $start, 2)[0] as [$n, $s, $e]) {
                        $attrs[$n] = substr($document, $s, $e - $s);
                    }
                } elseif (substr($document, $start, $stop - $start) !== 'null') {
                    throw new UnreadableEntry('session document field "attrs" is not an object');
                }
            } else {
                $fields[$name] = json_decode(substr($document, $start, $stop - $start), true, 512, JSON_BIGINT_AS_STRING);
            }
        }
        return self::record('session document', $fields, $attrs);
    }

    /**
     * The UTF-8 document of {@code $record}, as the Java side writes it.
     *
     * @throws \LengthException if it would exceed the document limit; nothing is written then
     */
    public static function encodeDocument(Record $record): string
    {
        $attrs = [];
        $names = array_map('strval', array_keys($record->attrs));
        sort($names, SORT_STRING);
        foreach ($names as $name) {
            $attrs[] = json_encode($name, self::JSON_FLAGS) . ':' . $record->attrs[$name];
        }
        $document = '{"v":' . self::FORMAT_VERSION . ',"id":"' . $record->id . '","randval":"' . $record->randval
            . '","created":' . $record->created . ',"lastAccess":' . $record->lastAccess
            . ',"idleTimeoutMs":' . $record->idleTimeoutMs
            . ',"deadline":' . ($record->deadline === null ? 'null' : (string) $record->deadline)
            . ',"principal":' . ($record->principal === null ? 'null' : json_encode($record->principal, self::JSON_FLAGS))
            . ',"version":' . $record->version . ',"attrs":{' . implode(',', $attrs) . '}}';
        if (strlen($document) > self::MAX_DOCUMENT_BYTES) {
            throw new \LengthException('the session would be ' . strlen($document) . ' bytes of JSON; the limit is '
                . self::MAX_DOCUMENT_BYTES);
        }
        return $document;
    }

    // ------------------------------------------------------------------------------------------ Redis hash

    /**
     * The record in a session hash (field name to value), or null for an empty hash.
     *
     * @param array<string|int, string> $fields
     * @throws UnreadableEntry if it is not a complete, valid version-1 session
     */
    public static function decodeHash(array $fields): ?Record
    {
        if ($fields === []) {
            return null;
        }
        $v = $fields['v'] ?? null;
        if ($v !== null && $v !== '1') {
            self::checkVersion(preg_match('/\A[0-9]{1,18}\z/', $v) === 1 ? (int) $v : -1, 'session hash');
        }
        $attrs = [];
        $meta = ['v' => $v === null ? null : 1];
        foreach ($fields as $name => $value) {
            $name = (string) $name;
            if (str_starts_with($name, self::ATTRIBUTE_PREFIX)) {
                $attrs[substr($name, strlen(self::ATTRIBUTE_PREFIX))] = self::checkedValue($value);
            } elseif (in_array($name, ['created', 'lastAccess', 'idleTimeoutMs', 'deadline', 'version'], true)) {
                if (preg_match('/\A[0-9]{1,19}\z/', $value) !== 1 || ($n = (int) $value) < 0
                    || (strlen($value) === 19 && strcmp($value, '9223372036854775807') > 0)) {
                    throw new UnreadableEntry('session hash field "' . $name . '" is not a non-negative integer');
                }
                $meta[$name] = $n;
            } elseif (in_array($name, ['id', 'randval', 'principal'], true)) {
                $meta[$name] = $value;
            }
        }
        return self::record('session hash', $meta, $attrs);
    }

    // ------------------------------------------------------------------------------------------ values

    /**
     * {@code $text} if it is exactly one JSON value within the limits (nested inside {@code $baseDepth}
     * levels), without surrounding whitespace; for values kept apart from a document.
     *
     * @throws UnreadableEntry if it is not
     */
    public static function checkedValue(string $text, int $baseDepth = 0): string
    {
        self::requireUtf8($text, 'attribute value');
        $start = self::ws($text, 0);
        if ($start === strlen($text)) {
            throw new UnreadableEntry('attribute value is empty');
        }
        $end = self::value($text, $start, $baseDepth);
        if (self::ws($text, $end) !== strlen($text)) {
            throw new UnreadableEntry('attribute value has more than one JSON value');
        }
        return substr($text, $start, $end - $start);
    }

    /**
     * Refuses an attribute name the Java side could not store or read back.
     *
     * @throws \InvalidArgumentException naming the limit
     */
    public static function checkName(string $name): void
    {
        if (preg_match('//u', $name) !== 1) {
            throw new \InvalidArgumentException('attribute name is not UTF-8');
        }
        if (strlen($name) > self::MAX_NAME_CHARS && self::utf16Length($name) > self::MAX_NAME_CHARS) {
            throw new \InvalidArgumentException('attribute name is longer than ' . self::MAX_NAME_CHARS . ' characters');
        }
    }

    /**
     * The JSON text of {@code $value} for attribute {@code $name}, checked to read back on the Java side:
     * null, booleans, integers, finite floats, UTF-8 strings and arrays of them. Objects are refused: they
     * would come back as arrays.
     *
     * @throws \InvalidArgumentException naming the attribute and the limit, if it would not read back
     */
    public static function toJson(string $name, mixed $value): string
    {
        self::checkName($name);
        self::checkValue($name, $value, 0);
        try {
            return json_encode($value, self::JSON_FLAGS, self::MAX_VALUE_DEPTH + 1);
        } catch (\JsonException $e) {
            throw new \InvalidArgumentException("value of attribute '$name' cannot be written as JSON: " . $e->getMessage());
        }
    }

    private static function checkValue(string $name, mixed $value, int $depth): void
    {
        if ($value === null || is_bool($value) || is_int($value)) {
            return;
        }
        if (is_float($value)) {
            if (!is_finite($value)) {
                throw new \InvalidArgumentException("value of attribute '$name' holds a NAN or INF, which JSON has not");
            }
            return;
        }
        if (is_string($value)) {
            if (strlen($value) > self::MAX_STRING_CHARS && self::utf16Length($value) > self::MAX_STRING_CHARS) {
                throw new \InvalidArgumentException("value of attribute '$name' holds a string longer than "
                    . self::MAX_STRING_CHARS . ' characters');
            }
            return;
        }
        if (is_array($value)) {
            if ($depth >= self::MAX_VALUE_DEPTH) {
                throw new \InvalidArgumentException("value of attribute '$name' is nested deeper than " . self::MAX_VALUE_DEPTH);
            }
            foreach ($value as $key => $item) {
                if (is_string($key) && strlen($key) > self::MAX_NAME_CHARS && self::utf16Length($key) > self::MAX_NAME_CHARS) {
                    throw new \InvalidArgumentException("value of attribute '$name' has a key longer than "
                        . self::MAX_NAME_CHARS . ' characters');
                }
                self::checkValue($name, $item, $depth + 1);
            }
            return;
        }
        throw new \InvalidArgumentException("value of attribute '$name' is " . get_debug_type($value)
            . '; store JSON data (null, bool, int, float, string, array): objects would come back as arrays');
    }

    // ------------------------------------------------------------------------------------------ internals

    /** @param array<string, mixed> $fields */
    private static function record(string $what, array $fields, array $attrs): Record
    {
        self::checkVersion($fields['v'] ?? null, $what);
        foreach (['id', 'randval'] as $name) {
            if (!Ids::isValid($fields[$name] ?? null)) {
                throw new UnreadableEntry("$what has a missing or malformed \"$name\"");
            }
        }
        foreach (['created', 'lastAccess', 'idleTimeoutMs', 'version'] as $name) {
            if (!array_key_exists($name, $fields) || $fields[$name] === null) {
                throw new UnreadableEntry("$what has no \"$name\"");
            }
            self::requireLong($fields[$name], $name, $what);
        }
        if ($fields['idleTimeoutMs'] === 0) {
            throw new UnreadableEntry("$what field \"idleTimeoutMs\" is zero");
        }
        $deadline = $fields['deadline'] ?? null;
        if ($deadline !== null) {
            self::requireLong($deadline, 'deadline', $what);
            $deadline = $deadline === PHP_INT_MAX ? null : $deadline; // the Java side's "no deadline"
        }
        $principal = $fields['principal'] ?? null;
        if ($principal !== null && !is_string($principal)) {
            throw new UnreadableEntry("$what field \"principal\" is not a string");
        }
        return new Record($fields['id'], $fields['randval'], $fields['created'], $fields['lastAccess'],
            $fields['idleTimeoutMs'], $deadline, $principal, $fields['version'], $attrs);
    }

    private static function checkVersion(mixed $v, string $what): void
    {
        if ($v === null) {
            throw new UnreadableEntry("$what has no format version \"v\"");
        }
        if ($v !== self::FORMAT_VERSION) {
            $newer = is_int($v) && $v > self::FORMAT_VERSION;
            throw new UnreadableEntry("$what has " . ($newer ? 'a newer' : 'an unsupported') . ' format version', $newer);
        }
    }

    private static function requireLong(mixed $value, string $name, string $what): void
    {
        if (!is_int($value) || $value < 0) {
            throw new UnreadableEntry("$what field \"$name\" is not a non-negative 64-bit integer");
        }
    }

    private static function requireUtf8(string $text, string $what): void
    {
        if (strlen($text) > self::MAX_DOCUMENT_BYTES) {
            throw new UnreadableEntry("$what is larger than " . self::MAX_DOCUMENT_BYTES . ' bytes');
        }
        if (preg_match('//u', $text) !== 1) {
            throw new UnreadableEntry("$what is not UTF-8");
        }
    }

    private static function ws(string $s, int $i): int
    {
        return $i + strspn($s, " \t\n\r", $i);
    }

    /** The end of the JSON value starting at {@code $s[$i]}, which sits inside {@code $depth} open levels. */
    private static function value(string $s, int $i, int $depth): int
    {
        switch ($s[$i] ?? '') {
            case '{':
                return self::members($s, $i, $depth + 1, false)[1];
            case '[':
                return self::elements($s, $i, $depth + 1);
            case '"':
                return self::string($s, $i, self::MAX_STRING_CHARS, 'string');
            case 't':
                return self::literal($s, $i, 'true');
            case 'f':
                return self::literal($s, $i, 'false');
            case 'n':
                return self::literal($s, $i, 'null');
        }
        if (preg_match('/\G-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/', $s, $m, 0, $i) !== 1) {
            throw new UnreadableEntry("not valid JSON at byte $i");
        }
        if (strlen($m[0]) > self::MAX_NUMBER_CHARS) {
            throw new UnreadableEntry('a number is longer than ' . self::MAX_NUMBER_CHARS . ' characters');
        }
        return $i + strlen($m[0]);
    }

    private static function literal(string $s, int $i, string $word): int
    {
        if (substr_compare($s, $word, $i, strlen($word)) !== 0) {
            throw new UnreadableEntry("not valid JSON at byte $i");
        }
        return $i + strlen($word);
    }

    private static function checkDepth(int $depth): void
    {
        if ($depth > self::MAX_DEPTH) {
            throw new UnreadableEntry('nesting is deeper than ' . self::MAX_DEPTH);
        }
    }

    private static function elements(string $s, int $i, int $depth): int
    {
        self::checkDepth($depth);
        $i = self::ws($s, $i + 1);
        if (($s[$i] ?? '') === ']') {
            return $i + 1;
        }
        while (true) {
            $i = self::ws($s, self::value($s, $i, $depth));
            $c = $s[$i] ?? '';
            if ($c === ']') {
                return $i + 1;
            }
            if ($c !== ',') {
                throw new UnreadableEntry("an array is not continued or closed at byte $i");
            }
            $i = self::ws($s, $i + 1);
        }
    }

    /**
     * The members of the object starting at {@code $s[$i]}, at nesting level {@code $depth}:
     * {@code [[name, value start, value end], ...]} (when {@code $collect}) and the end of the object.
     *
     * @return array{0: list<array{0: string, 1: int, 2: int}>, 1: int}
     */
    private static function members(string $s, int $i, int $depth, bool $collect = true): array
    {
        self::checkDepth($depth);
        $members = [];
        $i = self::ws($s, $i + 1);
        if (($s[$i] ?? '') === '}') {
            return [$members, $i + 1];
        }
        while (true) {
            if (($s[$i] ?? '') !== '"') {
                throw new UnreadableEntry("an object member has no name at byte $i");
            }
            $nameEnd = self::string($s, $i, self::MAX_NAME_CHARS, 'name');
            $colon = self::ws($s, $nameEnd);
            if (($s[$colon] ?? '') !== ':') {
                throw new UnreadableEntry("a member name is not followed by ':' at byte $colon");
            }
            $start = self::ws($s, $colon + 1);
            $end = self::value($s, $start, $depth);
            if ($collect) {
                $members[] = [json_decode(substr($s, $i, $nameEnd - $i)), $start, $end];
            }
            $i = self::ws($s, $end);
            $c = $s[$i] ?? '';
            if ($c === '}') {
                return [$members, $i + 1];
            }
            if ($c !== ',') {
                throw new UnreadableEntry("an object is not continued or closed at byte $i");
            }
            $i = self::ws($s, $i + 1);
        }
    }

    /** The end of the string starting at {@code $s[$i]}, checked: escapes, no control characters, length. */
    private static function string(string $s, int $i, int $limit, string $what): int
    {
        $n = strlen($s);
        $j = $i + 1;
        while (true) {
            $j += strcspn($s, self::STRING_STOPS, $j);
            if ($j >= $n) {
                throw new UnreadableEntry("a string is not closed (from byte $i)");
            }
            $c = $s[$j];
            if ($c === '"') {
                break;
            }
            if ($c !== '\\') {
                throw new UnreadableEntry("a string holds a control character at byte $j");
            }
            $e = $s[$j + 1] ?? '';
            if ($e !== '' && str_contains('"\\/bfnrt', $e)) {
                $j += 2;
                continue;
            }
            if ($e !== 'u' || preg_match('/\G[0-9a-fA-F]{4}/', $s, $m, 0, $j + 2) !== 1) {
                throw new UnreadableEntry("a string has an invalid escape at byte $j");
            }
            $unit = hexdec($m[0]);
            if ($unit >= 0xD800 && $unit <= 0xDBFF) {
                // PHP cannot decode an unpaired surrogate: refuse it (the Java side reads it as a lone char).
                if (preg_match('/\G\\\\u[dD][c-fC-F][0-9a-fA-F]{2}/', $s, $m, 0, $j + 6) !== 1) {
                    throw new UnreadableEntry("a string has an unpaired surrogate escape at byte $j");
                }
                $j += 12;
            } elseif ($unit >= 0xDC00 && $unit <= 0xDFFF) {
                throw new UnreadableEntry("a string has an unpaired surrogate escape at byte $j");
            } else {
                $j += 6;
            }
        }
        $end = $j + 1;
        // UTF-8 bytes and escapes are never fewer than the UTF-16 units they decode to.
        if ($end - $i - 2 > $limit && self::utf16Length((string) json_decode(substr($s, $i, $end - $i))) > $limit) {
            throw new UnreadableEntry("a $what is longer than $limit characters");
        }
        return $end;
    }
}
