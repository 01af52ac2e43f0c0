<?php
// The request lifecycle: cookies, keys, commit, touch, rotation, logout, size.
declare(strict_types=1);

use Satchel\{ChangeSet, Cookie, PrincipalIndexNotDefined, Record, Session, Sessions, SessionTooLarge, SigningKeys, Store,
    UnreadableEntry};

/** The store SPI over an array (one PHP process: every call is atomic). */
class MemoryStore implements Store
{
    /** @var array<string, Record> */
    public array $records = [];
    public int $writes = 0;
    public bool $principals = true;

    public function load(string $id): ?Record
    {
        return $this->records[$id] ?? null;
    }

    public function create(Record $record): bool
    {
        $this->writes++;
        if (isset($this->records[$record->id])) {
            return false;
        }
        $this->records[$record->id] = $record;
        return true;
    }

    public function apply(ChangeSet $changes): ?Record
    {
        $this->writes++;
        $merged = $changes->applyTo($this->records[$changes->sessionId()] ?? null);
        if ($merged === null) {
            unset($this->records[$changes->sessionId()]);
        } else {
            $this->records[$changes->sessionId()] = $merged;
        }
        return $merged;
    }

    public function delete(string $id): bool
    {
        $had = isset($this->records[$id]);
        unset($this->records[$id]);
        return $had;
    }

    public function canChangePrincipal(): bool
    {
        return $this->principals;
    }
}

final class Fixture
{
    public MemoryStore $store;
    public int $now = 1700000000000;
    public Sessions $sessions;
    public string $key;
    public string $oldKey;

    public function __construct(int $maxSessionBytes = Sessions::DEFAULT_MAX_SESSION_BYTES)
    {
        $this->store = new MemoryStore();
        $this->key = random_bytes(32);
        $this->oldKey = random_bytes(32);
        $this->sessions = new Sessions($this->store, new SigningKeys(base64_encode($this->key), base64_encode($this->oldKey)),
            new Cookie('SID', secure: false), maxSessionBytes: $maxSessionBytes, clock: fn (): int => $this->now);
    }

    /** @return array{0: Session, 1: string} a stored session and its Cookie header */
    public function stored(array $attrs): array
    {
        $s = $this->sessions->open(null);
        foreach ($attrs as $k => $v) {
            $s->put((string) $k, $v);
        }
        return [$s, explode(';', $this->sessions->commit($s))[0]];
    }

    public static function digest(string $key, string $sid, string $randval): string
    {
        return rtrim(strtr(base64_encode(hash_hmac('sha256', "$sid:$randval", $key, true)), '+/', '-_'), '=');
    }
}

test('an empty new session is neither stored nor given a cookie', function () {
    $f = new Fixture();
    $s = $f->sessions->open(null);
    check($s->isNew(), 'new');
    checkSame(null, $f->sessions->commit($s));
    checkSame([], $f->store->records);
});

test('the cookie is the sid and its HMAC with the newest key, formatted as the Java side does', function () {
    $f = new Fixture();
    [$s, $cookie] = $f->stored(['n' => 1]);
    $r = $f->store->records[$s->id()];
    checkSame('SID=' . $s->id() . '!' . Fixture::digest($f->key, $s->id(), $r->randval), $cookie);
    checkSame('SID=v; Path=/; HttpOnly; SameSite=Lax', $f->sessions->cookie->header('v'));
    checkSame('SID=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
        $f->sessions->cookie->expiredHeader());
    checkSame([1, $f->now, 1800000, $f->now + 43200000], [$r->version, $r->lastAccess, $r->idleTimeoutMs, $r->deadline]);
});

test('a stored session opens with its cookie among others; forged ones give a new session', function () {
    $f = new Fixture();
    [$s, $cookie] = $f->stored(['n' => 1]);
    foreach ([$cookie, "a=b; $cookie; c=d", ' SID = "' . substr($cookie, 4) . '" ', "SID=garbage; $cookie"] as $header) {
        checkSame(1, $f->sessions->open($header)->get('n'), $header);
    }
    $sid = substr($cookie, 4, 22);
    $digest = substr($cookie, 27);
    $other = ($sid[0] === 'A' ? 'B' : 'A') . substr($sid, 1);
    foreach (["SID=$sid!" . substr($digest, 0, -1) . ($digest[-1] === 'A' ? 'B' : 'A'), "SID=$other!$digest",
                 "SID=$sid!" . Fixture::digest(random_bytes(32), $sid, 'x'), "SID=$sid", "SID=$sid!$digest=", 'sid=' . substr($cookie, 4),
                 "SID=../../x!$digest", '', 'SID='] as $header) {
        $opened = $f->sessions->open($header);
        check($opened->isNew() && $opened->id() !== $sid, "refused: $header");
    }
    $junk = implode('; ', array_fill(0, 4, "SID=$sid!" . str_repeat('A', 43)));
    check($f->sessions->open("$junk; $cookie")->isNew(), 'a fifth candidate is not tried');
});

test('a cookie signed with an older key is accepted and re-issued under the newest', function () {
    $f = new Fixture();
    [$s] = $f->stored(['n' => 1]);
    $r = $f->store->records[$s->id()];
    $opened = $f->sessions->open('SID=' . $s->id() . '!' . Fixture::digest($f->oldKey, $s->id(), $r->randval));
    check(!$opened->isNew(), 'accepted');
    checkSame('SID=' . $s->id() . '!' . Fixture::digest($f->key, $s->id(), $r->randval), explode(';', $f->sessions->commit($opened))[0]);
});

test('changes merge into what is stored now; reads write nothing until the touch is due', function () {
    $f = new Fixture();
    [, $cookie] = $f->stored(['a' => 1, 'b' => 2]);
    $one = $f->sessions->open($cookie);
    $two = $f->sessions->open($cookie);
    $one->put('a', 10);
    $two->put('c', 3);
    $two->remove('b');
    $f->sessions->commit($one);
    $f->sessions->commit($two);
    checkSame(['a', 'c'], $f->sessions->open($cookie)->names());
    $writes = $f->store->writes;
    $f->now += 179999;
    $f->sessions->commit($f->sessions->open($cookie));
    checkSame($writes, $f->store->writes, 'no touch yet');
    $f->now += 1;
    $f->sessions->commit($f->sessions->open($cookie));
    checkSame($writes + 1, $f->store->writes, 'the touch');
});

test('a session removed meanwhile is not brought back and its cookie expires; an expired one is absent', function () {
    $f = new Fixture();
    [, $cookie] = $f->stored(['n' => 1]);
    $opened = $f->sessions->open($cookie);
    $f->sessions->invalidate($f->sessions->open($cookie));
    $opened->put('n', 2);
    check(str_contains($f->sessions->commit($opened), 'Max-Age=0'), 'expired cookie');
    checkSame([], $f->store->records);
    [, $cookie] = $f->stored(['n' => 1]);
    $f->now += 1800000;
    check($f->sessions->open($cookie)->isNew(), 'expired');
});

test('rotation keeps the data and kills the old id; after a logout elsewhere it fails and stores nothing', function () {
    $f = new Fixture();
    [$s, $cookie] = $f->stored(['n' => 1]);
    $opened = $f->sessions->open($cookie);
    $opened->setPrincipal('alice');
    check($f->sessions->rotateId($opened), 'rotated');
    $again = $f->sessions->open(explode(';', $f->sessions->commit($opened))[0]);
    checkSame(['alice', 1], [$again->principal(), $again->get('n')]);
    check($f->sessions->open($cookie)->isNew(), 'the old id is dead');
    checkSame(1, count($f->store->records));
    $gone = new Fixture();
    [, $cookie] = $gone->stored(['n' => 1]);
    $opened = $gone->sessions->open($cookie);
    $gone->sessions->invalidate($gone->sessions->open($cookie));
    check(!$gone->sessions->rotateId($opened), 'not rotated');
    checkSame([], $gone->store->records);
});

test('a session over the maximum size is refused before anything is written', function () {
    $f = new Fixture(1024);
    $s = $f->sessions->open(null);
    $s->put('big', str_repeat('x', 1000));
    checkThrows(SessionTooLarge::class, fn () => $f->sessions->commit($s), 'maximum of 1024');
    checkSame([], $f->store->records);
    [$small, $cookie] = $f->stored(['n' => 1]);
    $grown = $f->sessions->open($cookie);
    $grown->put('big', str_repeat('x', 1000));
    checkThrows(SessionTooLarge::class, fn () => $f->sessions->commit($grown));
    checkSame(['n' => '1'], $f->store->records[$small->id()]->attrs);
});

test('a store that cannot index principals refuses a login before anything changes', function () {
    $f = new Fixture();
    $f->store->principals = false;
    [, $cookie] = $f->stored(['n' => 1]);
    checkThrows(PrincipalIndexNotDefined::class, fn () => $f->sessions->open($cookie)->setPrincipal('alice'));
});

test('cookie rules are the Java side\'s', function () {
    checkSame('__Host-SID=v; Path=/; Secure; HttpOnly; SameSite=Lax', (new Cookie())->header('v'));
    foreach ([fn () => new Cookie(secure: false), fn () => new Cookie(path: '/app'), fn () => new Cookie(domain: 'example.com'),
                 fn () => new Cookie('SID', secure: false, sameSite: 'None'), fn () => new Cookie('__Secure-x', secure: false),
                 fn () => new Cookie('a b'), fn () => new Cookie('SID', path: '/;x'), fn () => new Cookie('SID', domain: 'a..b'),
                 fn () => new Cookie('SID', path: '/' . str_repeat('p', 4100))] as $bad) {
        checkThrows(InvalidArgumentException::class, $bad);
    }
    checkSame('SID=v; Path=/; Domain=example.com; Max-Age=60; HttpOnly; SameSite=Strict',
        (new Cookie('SID', secure: false, sameSite: 'Strict', domain: '.Example.com', maxAge: 60))->header('v'));
});

test('the digest is docs/format.md\'s test vector', function () {
    $keys = new SigningKeys('AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=');
    checkSame('zS5yzWulQA2V7wdtkP6pI8EGKloC1se6t0ASgAgA6jY',
        $keys->digest(new Record('p3Vx0R6cTtOmWvDZ0M6i0g', 'Yl4bU6dCq3sVJ6x2fP1mZA', 0, 0, 1, null, null, 1)));
});

test('keys are at least 32 bytes in either base64 alphabet, and never shown', function () {
    $raw = random_bytes(32);
    $record = new Record(SID, RANDVAL, 1, 1, 1, null, null, 1, []);
    $a = new SigningKeys(base64_encode($raw));
    $b = new SigningKeys(rtrim(strtr(base64_encode($raw), '+/', '-_'), '='));
    checkSame($a->digest($record), $b->digest($record));
    checkSame(43, strlen($a->digest($record)));
    foreach ([base64_encode(random_bytes(31)), 'not base64!'] as $bad) {
        checkThrows(InvalidArgumentException::class, fn () => new SigningKeys($bad));
    }
    ob_start();
    var_dump($a);
    $dump = ob_get_clean() . print_r($a, true);
    check(!str_contains($dump, $raw) && !str_contains($dump, base64_encode($raw)), 'no key in a dump');
});

test('an unreadable entry is absent, and logged without its content', function () {
    $store = new class extends MemoryStore {
        public function load(string $id): ?Record
        {
            throw new UnreadableEntry('damaged');
        }
    };
    $log = tempnam(sys_get_temp_dir(), 'satchel-log-');
    $previous = ini_set('error_log', $log);
    try {
        $sessions = new Sessions($store, new SigningKeys(base64_encode(random_bytes(32))), new Cookie('SID', secure: false));
        check($sessions->open('SID=' . str_repeat('A', 22) . '!' . str_repeat('A', 43))->isNew(), 'new');
    } finally {
        ini_set('error_log', (string) $previous);
    }
    check(str_contains(file_get_contents($log), 'treating an unreadable session entry as absent: damaged'), 'logged');
    unlink($log);
});
