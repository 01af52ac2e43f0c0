package dev.satchel.servlet.suite;

/** The init-parameter configuration on the container of {@link Jetty120Ee10IT}. */
class Jetty120Ee10InitParametersIT extends InitParametersSuite {
    Jetty120Ee10InitParametersIT() {
        super(JettyEe10Container::start);
    }
}
