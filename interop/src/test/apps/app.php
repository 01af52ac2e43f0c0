<?php
// The PHP side of the interop tests (see JavaApp for the endpoints), under php -S; see bootstrap.php.
declare(strict_types=1);

use Satchel\PrincipalIndexNotDefined;

$satchel = require __DIR__ . '/bootstrap.php';

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path === '/health') {
    echo 'ok';
    return;
}
session_start();
$name = $_GET['name'] ?? '';
$status = 200;
switch ($path) {
    case '/count':
        $body = (string) ($_SESSION['count'] = ($_SESSION['count'] ?? 0) + 1);
        break;
    case '/inc':
        $body = (string) ($_SESSION[$name] = ($_SESSION[$name] ?? 0) + 1);
        break;
    case '/get':
        $body = array_key_exists($name, $_SESSION) ? json_encode($_SESSION[$name]) : '-';
        break;
    case '/whoami':
        $body = $satchel->principal() ?? '-';
        break;
    case '/login':
        try {
            $satchel->setPrincipal($_GET['user']);
            $body = $satchel->rotateId() ? 'ok' : 'gone';
        } catch (PrincipalIndexNotDefined $e) {
            $status = 409;
            $body = 'refused: ' . $e->getMessage();
        }
        break;
    case '/logout':
        $satchel->invalidate();
        $body = 'bye';
        break;
    case '/hold':
        $gate = $_GET['gate'];
        touch("$gate.loaded");
        for ($deadline = microtime(true) + 30; !file_exists($gate) && microtime(true) < $deadline; clearstatcache()) {
            usleep(10000);
        }
        $body = (string) ($_SESSION[$name] = ($_SESSION[$name] ?? 0) + 1);
        break;
    default:
        $status = 404;
        $body = 'no such page';
}
if (session_status() === PHP_SESSION_ACTIVE) {
    session_write_close(); // saves, and sends the cookie if it changed, before any output
}
http_response_code($status);
header('Content-Type: text/plain; charset=utf-8');
echo $body;
