<?php
// opcache.preload script: compiles the class that takes the file store's record locks through FFI, so it may
// use FFI under PHP's default ffi.enable=preload. In php.ini:
//   opcache.enable=1
//   opcache.preload=/path/to/interop/php/preload.php
//   opcache.preload_user=www-data        (the user PHP runs as, when started as root)
opcache_compile_file(__DIR__ . '/src/FileLock.php');
