package dev.satchel.servlet.suite;

import jakarta.servlet.ServletContainerInitializer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.util.ServerInfo;
import org.apache.tomcat.util.descriptor.web.ErrorPage;

/** Embedded Tomcat (10.1 or 11: the same API) on a free loopback port, its work files under {@code target/}. */
public final class TomcatContainer implements Container {

    private final Tomcat tomcat;
    private final Connector connector;

    private TomcatContainer(Tomcat tomcat, Connector connector) {
        this.tomcat = tomcat;
        this.connector = connector;
    }

    /** Starts Tomcat with {@code app}. */
    public static Container start(ServletContainerInitializer app, String errorPage) throws Exception {
        Path base = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());
        context.addServletContainerInitializer(app, null);
        for (int status : new int[] {404, 500}) {
            ErrorPage page = new ErrorPage();
            page.setErrorCode(status);
            page.setLocation(errorPage);
            context.addErrorPage(page);
        }
        ErrorPage thrown = new ErrorPage();
        thrown.setExceptionType(Throwable.class.getName());
        thrown.setLocation(errorPage);
        context.addErrorPage(thrown);
        tomcat.start();
        return new TomcatContainer(tomcat, connector);
    }

    @Override
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public String name() {
        return ServerInfo.getServerInfo();
    }

    @Override
    public void close() throws Exception {
        tomcat.stop();
        tomcat.destroy();
    }
}
