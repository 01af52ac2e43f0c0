package dev.satchel.servlet.suite;

/** The servlet container suite on embedded Jetty 12.1, ee11 (Servlet 6.1). */
class Jetty121Ee11IT extends ServletContainerSuite {
    Jetty121Ee11IT() {
        super(JettyEe11Container::start);
    }
}
