package dev.satchel.servlet.suite;

/** The servlet container suite on embedded Tomcat 10.1 (Servlet 6.0). */
class Tomcat10IT extends ServletContainerSuite {
    Tomcat10IT() {
        super(TomcatContainer::start);
    }
}
