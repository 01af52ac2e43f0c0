<?php
// The PHP session module's corners, for PhpBridgeIT (see bootstrap.php for the configuration). Each page
// answers with what it did; a page that fails answers 500 with the exception's class and message.
declare(strict_types=1);

$satchel = require __DIR__ . '/bootstrap.php';

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path === '/health') {
    echo 'ok';
    return;
}
set_exception_handler(static function (Throwable $e): void {
    if (!headers_sent()) {
        http_response_code(500);
    }
    echo get_class($e), ': ', $e->getMessage();
});
header('Content-Type: text/plain; charset=utf-8');
switch ($path) {
    case '/late': // a new session's first data after output has started: its cookie cannot be sent
        session_start();
        echo 'output first';
        flush(); // the response has started
        $_SESSION['late'] = 1;
        session_write_close();
        break;
    case '/rotate-after-output':
        session_start();
        echo 'output first; ';
        flush();
        echo @session_regenerate_id(true) ? 'rotated' : 'refused'; // PHP refuses it itself (and so would Satchel)
        break;
    case '/chosen-id':
        session_id($_GET['id']);
        session_start();
        $_SESSION['n'] = 1;
        session_write_close();
        echo session_id();
        break;
    case '/object':
        session_start();
        $_SESSION['o'] = new ArrayObject([1]);
        session_write_close();
        break;
    case '/abort':
        session_start();
        $_SESSION['count'] = 99;
        session_abort();
        echo 'aborted';
        break;
    case '/rotate-keeping-old': // PHP would keep the old id; Satchel's rotation never does
        session_start();
        session_regenerate_id(false);
        session_write_close();
        echo session_id();
        break;
    case '/twice':
        session_start();
        $_SESSION['first'] = 1;
        session_write_close();
        session_start();
        $_SESSION['second'] = $_SESSION['first'] + 1;
        session_write_close();
        echo 'twice';
        break;
    case '/empty':
        session_start();
        $_SESSION = [];
        session_write_close();
        echo 'emptied';
        break;
    case '/destroy': // PHP's own logout, $_SESSION left as it is
        session_start();
        session_destroy();
        echo 'destroyed';
        break;
    case '/read':
        session_start();
        echo json_encode($_SESSION);
        break;
    default:
        http_response_code(404);
        echo 'no such page';
}
