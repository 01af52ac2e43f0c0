<?php
// Runs every tests/*Test.php: php tests/run.php (exit status 1 when a test fails). Plain PHP, no framework.
declare(strict_types=1);

require __DIR__ . '/../src/autoload.php';

ini_set('error_log', '/dev/null'); // unreadable entries are logged: expected here (one test checks the log itself)

$tests = [];
$failures = 0;

function test(string $name, Closure $body): void
{
    $GLOBALS['tests'][] = [$name, $body];
}

function check(bool $condition, string $what): void
{
    if (!$condition) {
        throw new AssertionError($what);
    }
}

function checkSame(mixed $expected, mixed $actual, string $what = 'value'): void
{
    if ($expected !== $actual) {
        throw new AssertionError("$what: expected " . var_export($expected, true) . ', got ' . var_export($actual, true));
    }
}

/** Runs {@code $body}, which must throw {@code $class} with {@code $part} in its message. */
function checkThrows(string $class, Closure $body, string $part = ''): Throwable
{
    try {
        $body();
    } catch (Throwable $e) {
        if (!$e instanceof $class || !str_contains($e->getMessage(), $part)) {
            throw new AssertionError("expected $class with '$part', got " . get_class($e) . ': ' . $e->getMessage());
        }
        return $e;
    }
    throw new AssertionError("expected $class with '$part', nothing was thrown");
}

function temporaryFolder(): string
{
    $dir = sys_get_temp_dir() . '/satchel-php-' . bin2hex(random_bytes(6));
    mkdir($dir, 0700);
    register_shutdown_function(static fn () => exec('rm -rf ' . escapeshellarg($dir)));
    return $dir;
}

foreach (glob(__DIR__ . '/*Test.php') as $file) {
    require $file;
}
foreach ($tests as [$name, $body]) {
    try {
        $body();
        echo "ok   $name\n";
    } catch (Throwable $e) {
        $failures++;
        echo "FAIL $name\n     " . get_class($e) . ': ' . $e->getMessage() . "\n     at "
            . $e->getFile() . ':' . $e->getLine() . "\n";
    }
}
echo count($tests) - $failures, ' of ', count($tests), " tests passed\n";
exit($failures === 0 ? 0 : 1);
