package dev.satchel.demo;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the Satchel demo: {@code java -jar satchel-demo.jar [--port N] [--host ADDRESS] [--dir PATH] [--store URI]}
 * ({@code --help} lists every option). Stops cleanly on Ctrl-C; exits with status 2 on a bad option and
 * 1 when it cannot start.
 */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {}

    /** Starts the demo and serves until the JVM is stopped. */
    public static void main(String[] args) {
        DemoServer.requestNoDelay(); // before anything in this JVM can create an HttpServer
        DemoOptions options;
        try {
            options = DemoOptions.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            LOG.error("{}\n{}", e.getMessage(), DemoOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            LOG.info("\n{}", DemoOptions.USAGE);
            return;
        }
        DemoServer server;
        try {
            server = DemoServer.start(options, System.getenv());
        } catch (IOException | RuntimeException e) {
            // A bad key or store URI, an unwritable folder, a store that cannot be reached: the message
            // says which (Satchel's messages never hold a password or a key).
            LOG.error("The demo cannot start: {}", e.toString());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "satchel-demo-shutdown"));
    }
}
