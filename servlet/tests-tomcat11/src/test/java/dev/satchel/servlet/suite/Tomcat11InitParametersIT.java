package dev.satchel.servlet.suite;

/** The init-parameter configuration on the container of {@link Tomcat11IT}. */
class Tomcat11InitParametersIT extends InitParametersSuite {
    Tomcat11InitParametersIT() {
        super(TomcatContainer::start);
    }
}
