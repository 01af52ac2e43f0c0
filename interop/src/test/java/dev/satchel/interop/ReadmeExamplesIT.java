package dev.satchel.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README blocks marked {@code <!-- tested: … -->}: a {@code file <path>} block must be that file, byte for
 * byte (so the code shown is the code that runs); a {@code run} block runs as written under bash from the
 * repository root — with {@code PY_PORT} and {@code PHP_PORT} set to free ports and {@code TMPDIR} under
 * target/ — and prints exactly the answers its {@code # → } comments promise.
 */
class ReadmeExamplesIT {

    private static final Path ROOT = Tools.INTEROP.getParent();
    private static final List<Path> READMES = List.of(ROOT.resolve("README.md"), Tools.INTEROP.resolve("README.md"));

    /** One marked block. */
    record Block(Path readme, String marker, String text) {}

    @Test
    void theExampleAppsAreTheFilesShown() throws IOException {
        List<Block> files = blocks("file ");
        assertEquals(2, files.size(), "the PHP and the Python example");
        for (Block b : files) {
            Path file = Tools.INTEROP.resolve(b.marker().substring("file ".length()));
            assertEquals(Files.readString(file, StandardCharsets.UTF_8), b.text(), b.readme() + " shows " + file);
        }
    }

    @Test
    void theWalkThroughRunsAsWritten() throws Exception {
        List<Block> runs = blocks("run");
        assertFalse(runs.isEmpty());
        Tools.php("ffi", "zend opcache");
        for (Block b : runs) {
            List<String> expected = new ArrayList<>();
            for (String line : b.text().split("\n")) {
                int arrow = line.indexOf("# → ");
                if (arrow >= 0) {
                    expected.add(line.substring(arrow + "# → ".length()).strip());
                }
            }
            Path log = Tools.TARGET.resolve("interop-logs/readme-walk-through.log");
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", b.text()).directory(ROOT.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("PY_PORT", Integer.toString(Tools.freePort()));
            pb.environment().put("PHP_PORT", Integer.toString(Tools.freePort()));
            pb.environment().put("TMPDIR", Tools.newFolder("readme-").toString());
            Process p = pb.start();
            try {
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    throw new AssertionError("the block of " + b.readme() + " did not finish:\n" + Tools.read(log));
                }
            } finally {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            assertEquals(String.join("\n", expected), Tools.read(log).strip(), "what the block of " + b.readme() + " printed");
        }
    }

    private static List<Block> blocks(String markerStart) throws IOException {
        List<Block> found = new ArrayList<>();
        for (Path readme : READMES) {
            List<String> lines = Files.readAllLines(readme, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (!line.startsWith("<!-- tested: ") || !line.endsWith(" -->")) {
                    continue;
                }
                String marker = line.substring("<!-- tested: ".length(), line.length() - " -->".length());
                if (!marker.startsWith(markerStart) || !lines.get(i + 1).startsWith("```")) {
                    continue;
                }
                StringBuilder text = new StringBuilder();
                for (int j = i + 2; !lines.get(j).startsWith("```"); j++) {
                    text.append(lines.get(j)).append('\n');
                }
                found.add(new Block(readme, marker, text.toString()));
            }
        }
        return found;
    }
}
