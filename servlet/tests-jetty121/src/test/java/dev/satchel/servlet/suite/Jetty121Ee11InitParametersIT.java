package dev.satchel.servlet.suite;

/** The init-parameter configuration on the container of {@link Jetty121Ee11IT}. */
class Jetty121Ee11InitParametersIT extends InitParametersSuite {
    Jetty121Ee11InitParametersIT() {
        super(JettyEe11Container::start);
    }
}
