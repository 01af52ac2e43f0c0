<?php
// The stored document, the Redis hash, values and the merge: what is accepted, what is refused, and how.
declare(strict_types=1);

use Satchel\{ChangeSet, Codec, Ids, Record, UnreadableEntry};

const SID = 'p3Vx0R6cTtOmWvDZ0M6i0g';
const RANDVAL = 'Yl4bU6dCq3sVJ6x2fP1mZA';

function doc(array $changes = []): string
{
    $doc = array_merge(['v' => 1, 'id' => SID, 'randval' => RANDVAL, 'created' => 1000, 'lastAccess' => 2000,
        'idleTimeoutMs' => 1800000, 'deadline' => null, 'principal' => null, 'version' => 3, 'attrs' => ['n' => 1]], $changes);
    return json_encode($doc, JSON_PRESERVE_ZERO_FRACTION);
}

function rec(array $changes = []): Record
{
    return (new Record(SID, RANDVAL, 1000, 2000, 1800000, null, null, 3, []))->with(...$changes);
}

test('only the canonical 22-character base64url form is an id', function () {
    check(Ids::isValid(SID) && Ids::isValid(Ids::newId()), 'valid ids');
    foreach (['', substr(SID, 0, 21), SID . 'A', substr(SID, 0, 21) . 'B', '../../etc/passwd', str_repeat('é', 11),
                 substr(SID, 0, 21) . "\n", null, 22] as $bad) {
        check(!Ids::isValid($bad), 'refused: ' . var_export($bad, true));
    }
    checkSame('a77571d11e9c4ed3a65af0d9d0cea2d2', Ids::hex(SID), 'file name');
});

test('a document reads with every field', function () {
    $r = Codec::decodeDocument(doc(['deadline' => 5000, 'principal' => 'alice', 'attrs' => ['cart' => ['items' => [1, 2]]]]));
    checkSame([SID, RANDVAL, 1000, 2000, 1800000, 5000, 'alice', 3, ['cart' => '{"items":[1,2]}']],
        [$r->id, $r->randval, $r->created, $r->lastAccess, $r->idleTimeoutMs, $r->deadline, $r->principal, $r->version, $r->attrs]);
});

test('attribute values keep their exact text', function () {
    $text = '{"v":1,"id":"' . SID . '","randval":"' . RANDVAL . '","created":1,"lastAccess":1,"idleTimeoutMs":1,'
        . '"deadline":null,"principal":null,"version":1,"attrs":{"big":12345678901234567890123,"e":1.0E10,'
        . '"s":"\u00e9\/","z":-0.0, "o" : { "b" : [ ] },"5":true}}';
    checkSame(['big' => '12345678901234567890123', 'e' => '1.0E10', 's' => '"\u00e9\/"', 'z' => '-0.0',
        'o' => '{ "b" : [ ] }', 5 => 'true'], Codec::decodeDocument($text)->attrs);
});

test('what it writes reads back to the same record', function () {
    $r = rec(['deadline' => 9000, 'principal' => 'Zoë 😀', 'attrs' => ['b' => '[1,2.5]', 'a' => '"x"', 'é' => '{}', 7 => 'null']]);
    $back = Codec::decodeDocument(Codec::encodeDocument($r));
    checkSame([9000, 'Zoë 😀', ['7' => 'null', 'a' => '"x"', 'b' => '[1,2.5]', 'é' => '{}']],
        [$back->deadline, $back->principal, $back->attrs]);
    check(str_starts_with(Codec::encodeDocument($r), '{"v":1,"id":"' . SID . '"'), 'field order');
});

test('unknown fields are ignored, attrs may be null or missing, the largest deadline means none', function () {
    checkSame([], Codec::decodeDocument(doc(['attrs' => null]))->attrs);
    $doc = json_decode(doc(), true);
    unset($doc['attrs']);
    $doc['fromTheFuture'] = ['x' => [1]];
    checkSame([], Codec::decodeDocument(json_encode($doc))->attrs);
    checkSame(null, Codec::decodeDocument(doc(['deadline' => PHP_INT_MAX]))->deadline);
});

test('a newer format is reported as such, damage never is', function () {
    check(checkThrows(UnreadableEntry::class, fn () => Codec::decodeDocument(doc(['v' => 2, 'id' => 'x'])))->newerFormat, 'v 2');
    $base = json_decode(doc(), true);
    $cases = ['no v' => array_diff_key($base, ['v' => 0]), 'v 0' => ['v' => 0] + $base, 'v text' => ['v' => '1'] + $base,
        'v float' => ['v' => 1.0] + $base, 'bad id' => ['id' => '../x'] + $base, 'no created' => array_diff_key($base, ['created' => 0]),
        'negative' => ['lastAccess' => -1] + $base, 'float time' => ['created' => 1.5] + $base, 'bool' => ['version' => true] + $base,
        'zero idle' => ['idleTimeoutMs' => 0] + $base, 'principal number' => ['principal' => 5] + $base, 'attrs list' => ['attrs' => [1]] + $base];
    foreach ($cases as $what => $doc) {
        check(!checkThrows(UnreadableEntry::class, fn () => Codec::decodeDocument(json_encode($doc, JSON_PRESERVE_ZERO_FRACTION)))->newerFormat, $what);
    }
    $huge = str_replace('"version":3', '"version":9223372036854775808', doc());
    foreach (['empty' => '', 'not json' => '{v:1}', 'truncated' => substr(doc(), 0, -1), 'trailing' => doc() . 'x', 'array' => '[1]',
                 'NaN' => str_replace('"n":1', '"n":NaN', doc()), 'not utf-8' => str_replace('"n"', "\"\xff\"", doc()),
                 'huge' => $huge, 'lone surrogate' => str_replace('"n":1', '"n":"\ud800"', doc()),
                 'control character' => str_replace('"n":1', "\"n\":\"a\tb\"", doc())] as $what => $text) {
        checkThrows(UnreadableEntry::class, fn () => Codec::decodeDocument($text), '');
    }
});

test('the read limits are the Java side\'s', function () {
    $deep = str_repeat('[', Codec::MAX_DEPTH - 2) . str_repeat(']', Codec::MAX_DEPTH - 2);
    Codec::decodeDocument(str_replace('"n":1', '"n":' . $deep, doc()));
    checkThrows(UnreadableEntry::class, fn () => Codec::decodeDocument(str_replace('"n":1', '"n":[' . $deep . ']', doc())), 'nesting');
    checkThrows(UnreadableEntry::class, fn () => Codec::decodeDocument(doc(['attrs' => [str_repeat('x', Codec::MAX_NAME_CHARS + 1) => 1]])), 'name');
    Codec::decodeDocument(doc(['attrs' => [str_repeat('😀', Codec::MAX_NAME_CHARS / 2) => 1]]));
    checkThrows(UnreadableEntry::class, fn () => Codec::decodeDocument(doc(['attrs' => [str_repeat('😀', Codec::MAX_NAME_CHARS / 2) . 'x' => 1]])), 'name');
    checkThrows(UnreadableEntry::class, fn () => Codec::decodeDocument(str_replace('"n":1', '"n":' . str_repeat('1', 1001), doc())), 'number');
    checkThrows(UnreadableEntry::class, fn () => Codec::decodeDocument(str_repeat(' ', Codec::MAX_DOCUMENT_BYTES + 1)), 'larger');
});

test('a hash reads, a newer one is reported as such, damage is not', function () {
    $fields = ['v' => '1', 'id' => SID, 'randval' => RANDVAL, 'created' => '1000', 'lastAccess' => '2000',
        'idleTimeoutMs' => '1800000', 'version' => '3', 'a:cart' => '{"items":[1]}', 'later' => 'ignored'];
    $r = Codec::decodeHash($fields);
    checkSame([null, null, ['cart' => '{"items":[1]}']], [$r->deadline, $r->principal, $r->attrs]);
    checkSame(null, Codec::decodeHash([]));
    check(checkThrows(UnreadableEntry::class, fn () => Codec::decodeHash(['v' => '2', 'created' => 'x'] + $fields))->newerFormat, 'v 2');
    foreach ([['v' => 'x'], ['created' => '+1'], ['version' => ' 3'], ['version' => '9223372036854775808'], ['a:cart' => '{'],
                 ['a:cart' => '1 2'], ['idleTimeoutMs' => '0'], ['id' => 'x']] as $change) {
        check(!checkThrows(UnreadableEntry::class, fn () => Codec::decodeHash($change + $fields))->newerFormat, json_encode($change));
    }
    checkThrows(UnreadableEntry::class, fn () => Codec::decodeHash(array_diff_key($fields, ['v' => 0])), 'format version');
});

test('JSON data is written compactly and exactly; what would not read back is refused naming the attribute', function () {
    checkSame('{"a":[1,2.5,null,true,1.0],"é":"😀/"}', Codec::toJson('x', ['a' => [1, 2.5, null, true, 1.0], 'é' => '😀/']));
    $deep = 1;
    for ($i = 0; $i < Codec::MAX_VALUE_DEPTH; $i++) {
        $deep = [$deep];
    }
    Codec::toJson('cart', $deep);
    foreach (['nan' => NAN, 'inf' => INF, 'object' => new stdClass(), 'closure' => fn () => 1, 'not utf-8' => "\xff",
                 'too deep' => [$deep], 'key not utf-8' => ["\xff" => 1]] as $what => $value) {
        checkThrows(InvalidArgumentException::class, fn () => Codec::toJson('cart', $value), "'cart'");
    }
    checkThrows(InvalidArgumentException::class, fn () => Codec::toJson("\xff", 1), 'UTF-8');
    checkThrows(InvalidArgumentException::class, fn () => Codec::toJson(str_repeat('x', Codec::MAX_NAME_CHARS + 1), 1), 'longer');
});

test('checked values take exactly one value', function () {
    checkSame('[1, 2]', Codec::checkedValue("  [1, 2] \n"));
    foreach (['', ' ', '1 2', '{', 'NaN', "'x'", '[1,]', '01', '"\ud800"', '"\udc00x"'] as $bad) {
        checkThrows(UnreadableEntry::class, fn () => Codec::checkedValue($bad));
    }
    checkSame('"\ud83d\ude00"', Codec::checkedValue('"\ud83d\ude00"'), 'a pair');
});

test('a change applies to what is stored now', function () {
    $stored = rec(['attrs' => ['a' => '1', 'b' => '2', 'other' => '3']]);
    $c = new ChangeSet(rec(), 5000, ['a' => '10', 'new' => '4'], ['b', 'never'], true, 'alice');
    $merged = $c->applyTo($stored);
    checkSame([['a' => '10', 'other' => '3', 'new' => '4'], 5000, 4, 'alice'],
        [$merged->attrs, $merged->lastAccess, $merged->version, $merged->principal]);
    checkSame(9000, (new ChangeSet(rec(), 5000))->applyTo(rec(['lastAccess' => 9000]))->lastAccess, 'never back');
    checkSame(null, $c->applyTo(null));
    checkSame(null, $c->applyTo(rec(['lastAccess' => 1000, 'idleTimeoutMs' => 4000])), 'expired');
    checkSame(null, $c->applyTo(rec(['deadline' => 5000])), 'past its deadline');
    checkSame(null, (new ChangeSet(rec(), 5000, [], [], false, null, 0, true, 4000))->applyTo(rec()), 'ended by the change');
});
