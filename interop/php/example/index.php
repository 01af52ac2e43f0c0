<?php
// A tiny PHP app on Satchel's sessions, PHP's own $_SESSION: counts visits, shows who is logged in, logs out
// at /logout. Configured by the environment: SESSION_KEY (base64 of 32+ random bytes, the Java side's key),
// SATCHEL_STORE (file:<dir> — the default, file:/tmp/satchel-sessions — redis://host:port, or a PostgreSQL
// conninfo). Plain HTTP on 127.0.0.1, so the cookie is SID without Secure; in production keep Cookie()'s
// default, __Host-SID with Secure, on HTTPS.
declare(strict_types=1);

require __DIR__ . '/../src/autoload.php';

$where = getenv('SATCHEL_STORE') ?: 'file:/tmp/satchel-sessions';
$store = match (true) {
    str_starts_with($where, 'file:') => new Satchel\FileStore(substr($where, 5)),
    str_starts_with($where, 'redis') => new Satchel\RedisStore($where),
    default => new Satchel\PostgresStore($where),
};
$sessions = new Satchel\Sessions($store, new Satchel\SigningKeys(getenv('SESSION_KEY')), new Satchel\Cookie('SID', secure: false));
$satchel = $sessions->register();

session_start();
if (parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) === '/logout') {
    $satchel->invalidate();
} else {
    $_SESSION['visits'] = ($_SESSION['visits'] ?? 0) + 1;
}
session_write_close(); // saved, and its cookie set, before the first byte of output
header('Content-Type: text/plain; charset=utf-8');
echo 'visits: ', $_SESSION['visits'] ?? 0, ', user: ', $satchel->principal() ?? '-', "\n";
