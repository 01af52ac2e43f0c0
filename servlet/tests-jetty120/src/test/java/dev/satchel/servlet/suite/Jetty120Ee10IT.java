package dev.satchel.servlet.suite;

/** The servlet container suite on embedded Jetty 12.0, ee10 (Servlet 6.0). */
class Jetty120Ee10IT extends ServletContainerSuite {
    Jetty120Ee10IT() {
        super(JettyEe10Container::start);
    }
}
