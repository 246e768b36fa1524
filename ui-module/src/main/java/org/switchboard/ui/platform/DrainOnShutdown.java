package org.switchboard.ui.platform;

import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.lang.annotation.Annotation;

/**
 * Runs the {@link Drain} when the JVM is asked to stop, beside Payara Micro's own shutdown, which
 * waits out its grace before taking the application down. The HTTP listener is closed through
 * Payara's network service, found by name through the container's class loader: the Servlet API
 * cannot close a listener, and asadmin is not at hand inside the server. On a container without it
 * the listener is left to the container.
 */
@WebListener
public class DrainOnShutdown implements ServletContextListener {

    private static final String NETWORK_SERVICE = "com.sun.enterprise.v3.services.impl.GrizzlyService";
    private static final String SERVICES = "org.glassfish.internal.api.Globals";
    private static final String LOCATOR = "org.glassfish.hk2.api.ServiceLocator";
    private static final String PROXY = "com.sun.enterprise.v3.services.impl.NetworkProxy";
    static final String LISTENER = "http-listener";

    @Inject
    Drain drain;

    private Thread hook;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        var container = event.getServletContext().getClass().getClassLoader();
        var draining = drain;
        hook = Thread.ofPlatform().name("switchboard-drain").unstarted(() -> draining.run(() -> closeListener(container)));
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook); // undeployed without stopping: nothing to drain
        } catch (IllegalStateException stopping) {
            // the JVM is stopping: the hook runs or has run
        }
    }

    private static void closeListener(ClassLoader container) {
        try {
            var services = Class.forName(SERVICES, true, container).getMethod("getDefaultBaseServiceLocator").invoke(null);
            var locator = Class.forName(LOCATOR, true, container);
            var type = Class.forName(NETWORK_SERVICE, true, container);
            var network = locator.getMethod("getService", Class.class, Annotation[].class).invoke(services, type, new Annotation[0]);
            var find = type.getDeclaredMethod("getNetworkProxy", String.class);
            find.setAccessible(true);
            var proxy = find.invoke(network, LISTENER);
            if (proxy == null) {
                Drain.say("no HTTP listener named " + LISTENER + " to close");
                return;
            }
            var proxyType = Class.forName(PROXY, true, container);
            type.getMethod("closeNetworkProxy", proxyType).invoke(network, proxy);
            type.getMethod("removeNetworkProxy", proxyType).invoke(network, proxy);

        } catch (ReflectiveOperationException | RuntimeException e) {
            Drain.say("the HTTP listener is left for the container to close: " + e);
        }
    }
}
