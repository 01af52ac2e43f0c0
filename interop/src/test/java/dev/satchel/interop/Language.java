package dev.satchel.interop;

import java.util.List;
import java.util.Map;

/** The languages that share Satchel's sessions with the Java side, each with a test app of the same endpoints. */
enum Language {
    /** {@code src/test/apps/app.php} under {@code php -S}, four worker processes, the file lock class preloaded. */
    PHP {
        @Override
        AppProcess start(String store, String keys, String cookie) {
            return php("src/test/apps/app.php", store, keys, cookie);
        }
    },
    /** {@code src/test/apps/app.py} under wsgiref, one thread per request. */
    PYTHON {
        @Override
        AppProcess start(String store, String keys, String cookie) {
            String python = Tools.python();
            return AppProcess.start("python", port -> List.of(python, "src/test/apps/app.py", Integer.toString(port)),
                    Map.of("SATCHEL_STORE", store, "SATCHEL_KEYS", keys, "SATCHEL_COOKIE", cookie,
                            "PYTHONDONTWRITEBYTECODE", "1"));
        }
    };

    /**
     * Starts this language's test app over {@code store} ({@code file:<dir>}, {@code redis://…} or
     * {@code pgsql:<conninfo>}) with signing keys {@code keys} (base64, newest first, comma-separated).
     */
    abstract AppProcess start(String store, String keys, String cookie);

    /** PHP app {@code script} under {@code php -S}, configured like {@link #start}. */
    static AppProcess php(String script, String store, String keys, String cookie) {
        String php = Tools.php(store.startsWith("pgsql:") ? new String[] {"pgsql"}
                : store.startsWith("file:") ? new String[] {"ffi", "zend opcache"} : new String[0]);
        return AppProcess.start("php", port -> List.of(php,
                // The file store's record locks go through FFI, allowed for preloaded code (ffi.enable=preload).
                "-d", "opcache.enable_cli=1",
                "-d", "opcache.preload=" + Tools.INTEROP.resolve("php/preload.php"),
                "-d", "opcache.preload_user=" + System.getProperty("user.name"),
                "-d", "display_errors=0", "-d", "log_errors=1",
                "-S", "127.0.0.1:" + port, script),
                Map.of("PHP_CLI_SERVER_WORKERS", "4", "SATCHEL_STORE", store, "SATCHEL_KEYS", keys, "SATCHEL_COOKIE", cookie));
    }
}
