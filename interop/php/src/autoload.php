<?php
// Loads Satchel's classes (namespace Satchel, one class per file in this folder). Require it once.
declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    if (str_starts_with($class, 'Satchel\\')) {
        $file = __DIR__ . '/' . substr($class, 8) . '.php';
        if (is_file($file)) {
            require_once $file;
        }
    }
});
