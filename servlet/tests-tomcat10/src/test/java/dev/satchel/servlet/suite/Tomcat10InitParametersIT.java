package dev.satchel.servlet.suite;

/** The init-parameter configuration on the container of {@link Tomcat10IT}. */
class Tomcat10InitParametersIT extends InitParametersSuite {
    Tomcat10InitParametersIT() {
        super(TomcatContainer::start);
    }
}
