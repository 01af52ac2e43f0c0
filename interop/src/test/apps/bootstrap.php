<?php
// Configures Satchel's PHP session handler for the test apps from the environment: SATCHEL_STORE (file:<dir>,
// redis://..., pgsql:<conninfo>), SATCHEL_KEYS (base64, newest first, comma-separated), SATCHEL_COOKIE (the
// cookie's name; plain HTTP, so not Secure). Returns the handler.
declare(strict_types=1);

require __DIR__ . '/../../../php/src/autoload.php';

use Satchel\{Cookie, FileStore, PostgresStore, RedisStore, Sessions, SigningKeys};

$spec = getenv('SATCHEL_STORE');
$store = match (true) {
    str_starts_with($spec, 'file:') => new FileStore(substr($spec, 5)),
    str_starts_with($spec, 'redis') => new RedisStore($spec),
    str_starts_with($spec, 'pgsql:') => new PostgresStore(substr($spec, 6)),
};
$sessions = new Sessions($store, new SigningKeys(...explode(',', getenv('SATCHEL_KEYS'))),
    new Cookie(getenv('SATCHEL_COOKIE'), secure: false));
return $sessions->register();
