<?php
// The file store from PHP: the Java store's layout, its lock (through FFI), and hostile files left alone.
declare(strict_types=1);

use Satchel\{Cookie, FileStore, Ids, PrincipalIndexNotDefined, Sessions, SigningKeys, StoreException, UnreadableEntry};

/** @return array{0: string, 1: FileStore, 2: Sessions} */
function fileFixture(): array
{
    $dir = temporaryFolder();
    $store = new FileStore($dir, lockTimeout: 0.5);
    return [$dir, $store, new Sessions($store, new SigningKeys(base64_encode(random_bytes(32))), new Cookie('SID', secure: false))];
}

function sessionFile(string $dir, string $id): string
{
    $hex = Ids::hex($id);
    return "$dir/" . substr($hex, 0, 2) . "/$hex.json";
}

test('file store: the layout is the Java store\'s', function () {
    [$dir, , $sessions] = fileFixture();
    $s = $sessions->open(null);
    $s->put('n', 1);
    $sessions->commit($s);
    $file = sessionFile($dir, $s->id());
    clearstatcache();
    checkSame(0600, fileperms($file) & 0777, 'file mode');
    checkSame(0700, fileperms(dirname($file)) & 0777, 'folder mode');
    checkSame(0, filesize("$dir/satchel.lock"), 'lock file size');
    $doc = json_decode(file_get_contents($file), true);
    checkSame([1, $s->id(), ['n' => 1]], [$doc['v'], $doc['id'], $doc['attrs']]);
    checkSame(intdiv($doc['lastAccess'] + $doc['idleTimeoutMs'], 1000), filemtime($file), 'the modification time is the expiry');
    checkSame([basename($file)], array_values(array_diff(scandir(dirname($file)), ['.', '..'])), 'no temporary file is left');
});

test('file store: create never overwrites', function () {
    [, $store, $sessions] = fileFixture();
    $s = $sessions->open(null);
    $s->put('n', 1);
    $sessions->commit($s);
    check(!$store->create($s->record()), 'refused');
});

test('file store: a lock held by another process keeps writes out but not reads', function () {
    [$dir, , $sessions] = fileFixture();
    $s = $sessions->open(null);
    $s->put('n', 1);
    $cookie = explode(';', $sessions->commit($s))[0];
    $stripe = hexdec(substr(Ids::hex($s->id()), 0, 3));
    $holder = proc_open([PHP_BINARY, '-r', 'require $argv[1]; $l = Satchel\FileLock::acquire($argv[2], (int) $argv[3], 5); '
        . 'echo "locked\n"; fgets(STDIN); $l->release();', __DIR__ . '/../src/autoload.php', "$dir/satchel.lock", (string) $stripe],
        [0 => ['pipe', 'r'], 1 => ['pipe', 'w']], $pipes);
    try {
        checkSame("locked\n", fgets($pipes[1]));
        $opened = $sessions->open($cookie);
        checkSame(1, $opened->get('n'), 'read');
        $opened->put('n', 2);
        checkThrows(StoreException::class, fn () => $sessions->commit($opened), 'another process');
    } finally {
        fwrite($pipes[0], "\n");
        fclose($pipes[0]);
        fclose($pipes[1]);
        proc_close($holder);
    }
    checkSame(1, $sessions->open($cookie)->get('n'), 'nothing written');
    $sessions->commit($opened);
    checkSame(2, $sessions->open($cookie)->get('n'), 'written once the lock is free');
});

test('file store: links planted in the store are never followed', function () {
    [$dir, $store, $sessions] = fileFixture();
    $s = $sessions->open(null);
    $s->put('n', 1);
    $cookie = explode(';', $sessions->commit($s))[0];
    $file = sessionFile($dir, $s->id());
    rename($file, "$dir/elsewhere.json");
    symlink("$dir/elsewhere.json", $file);
    checkThrows(UnreadableEntry::class, fn () => $store->load($s->id()), 'symbolic link');
    check($sessions->open($cookie)->isNew(), 'absent');
    check(is_link($file), 'left for the Java store to move aside');
    $other = $sessions->open(null);
    $other->put('n', 1);
    $sessions->commit($other);
    $shard = dirname(sessionFile($dir, $other->id()));
    rename($shard, "$dir/moved");
    symlink("$dir/moved", $shard);
    checkThrows(StoreException::class, fn () => $store->load($other->id()), 'symbolic link');
});

test('file store: newer and corrupt files are reported and never changed', function () {
    [$dir, $store, $sessions] = fileFixture();
    foreach (['{"v":2,"id":"whatever"}', '{"v":1,"id":'] as $content) {
        $s = $sessions->open(null);
        $s->put('n', 1);
        $cookie = explode(';', $sessions->commit($s))[0];
        file_put_contents(sessionFile($dir, $s->id()), $content);
        checkThrows(UnreadableEntry::class, fn () => $store->load($s->id()));
        $opened = @$sessions->open($cookie);
        check($opened->isNew(), 'absent');
        checkThrows(UnreadableEntry::class, fn () => $store->apply($s->changes(1)));
        checkSame($content, file_get_contents(sessionFile($dir, $s->id())), 'unchanged');
    }
});

test('file store: a principal change is refused until its index is defined', function () {
    [$dir, $store, $sessions] = fileFixture();
    $s = $sessions->open(null);
    checkThrows(PrincipalIndexNotDefined::class, fn () => $s->setPrincipal('alice'));
    $s->put('n', 1);
    $sessions->commit($s);
    checkThrows(PrincipalIndexNotDefined::class, fn () => $store->create($s->record()->with(id: Ids::newId(), principal: 'alice')));
    checkSame(2, count(scandir($dir)) - 2, 'the lock file and one shard folder, nothing else');
});
