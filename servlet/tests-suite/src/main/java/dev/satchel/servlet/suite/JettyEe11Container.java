package dev.satchel.servlet.suite;

import jakarta.servlet.ServletContainerInitializer;
import org.eclipse.jetty.ee11.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Jetty;

/** Embedded Jetty 12 with the ee11 environment on a free loopback port. */
public final class JettyEe11Container implements Container {

    private final Server server;
    private final ServerConnector connector;

    private JettyEe11Container(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /** Starts Jetty with {@code app}. */
    public static Container start(ServletContainerInitializer app, String errorPage) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServletContainerInitializer(app);
        ErrorPageErrorHandler errors = new ErrorPageErrorHandler();
        errors.addErrorPage(404, errorPage);
        errors.addErrorPage(500, errorPage);
        errors.addErrorPage(Throwable.class, errorPage);
        context.setErrorHandler(errors);
        server.setHandler(context);
        server.start();
        return new JettyEe11Container(server, connector);
    }

    @Override
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public String name() {
        return "Jetty " + Jetty.VERSION + " ee11";
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
