package dev.satchel.servlet.suite;

import jakarta.servlet.ServletContainerInitializer;

/**
 * A servlet container started on a free loopback port with one web application at the root context, set
 * up through the standard {@link ServletContainerInitializer} API, with one error page for exceptions and
 * for status 404 and 500. Closing it stops the container.
 */
public interface Container extends AutoCloseable {

    /** The port it listens on, on 127.0.0.1. */
    int port();

    /** What it is, for messages: "Tomcat 11.0.27". */
    String name();

    @Override
    void close() throws Exception;

    /** Starts a container. */
    @FunctionalInterface
    interface Starter {
        Container start(ServletContainerInitializer app, String errorPage) throws Exception;
    }
}
