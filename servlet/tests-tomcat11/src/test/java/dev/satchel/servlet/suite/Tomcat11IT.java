package dev.satchel.servlet.suite;

/** The servlet container suite on embedded Tomcat 11 (Servlet 6.1). */
class Tomcat11IT extends ServletContainerSuite {
    Tomcat11IT() {
        super(TomcatContainer::start);
    }
}
