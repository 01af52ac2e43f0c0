package dev.satchel.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The PHP and Python code's own tests, in their own languages (plain PHP; Python's unittest): the codec's
 * limits and refusals, the cookie, the keys, the merge, the lifecycle, and the file store's layout, lock and
 * hostile files. Each suite's output is kept under target/interop-logs.
 */
class LanguageTestsIT {

    @Test
    void thePhpTestsPass() {
        Path log = Tools.TARGET.resolve("interop-logs/php-tests.log");
        int status = Tools.runTo(log, Tools.php("ffi"), "php/tests/run.php");
        assertEquals(0, status, "php/tests/run.php failed:\n" + Tools.read(log));
    }

    @Test
    void thePythonTestsPass() {
        Path log = Tools.TARGET.resolve("interop-logs/python-tests.log");
        int status = Tools.runTo(log, Tools.python(), "-W", "error::ResourceWarning", "-m", "unittest", "discover",
                "-s", "python/tests", "-v");
        assertEquals(0, status, "the Python tests failed:\n" + Tools.read(log));
    }
}
