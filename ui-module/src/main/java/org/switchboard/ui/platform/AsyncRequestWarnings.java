package org.switchboard.ui.platform;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Drops four warnings that CDI (Weld) logs for every asynchronous request Payara completes, and
 * nothing else. Payara ends the first dispatch of a request that went asynchronous without ending
 * its CDI request context on that thread, and runs the context's start and end again on the thread
 * that completes it: Weld then warns of a guard or bean store left on the first thread (WELD-000225,
 * 000335, 000714) and of a guard missing on the second (WELD-000715), and cleans up either way. Each
 * long poll and each closed event stream raises them, so a board change with 10,000 watchers wrote
 * some 10,000 log records, a quarter of the node's CPU samples during the benchmark's waves
 * (formatting and writing them). The first dropped record is still logged once, to say so.
 */
@WebListener
public class AsyncRequestWarnings implements ServletContextListener {

    static final List<String> DROPPED = List.of("WELD-000225", "WELD-000335", "WELD-000714", "WELD-000715");
    /** Weld's loggers that raise them (held here: the logging framework keeps loggers only weakly). */
    private static final List<Logger> LOGGERS = List.of(Logger.getLogger("org.jboss.weld.Servlet"),
            Logger.getLogger("org.jboss.weld.Context"), Logger.getLogger("org.jboss.weld.Conversation"));
    private static final System.Logger LOG = System.getLogger(AsyncRequestWarnings.class.getName());

    @Override
    public void contextInitialized(ServletContextEvent event) {
        var filter = new Drop();
        LOGGERS.forEach(logger -> logger.setFilter(filter));
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        LOGGERS.forEach(logger -> {
            if (logger.getFilter() instanceof Drop) {
                logger.setFilter(null);
            }
        });
    }

    /** The filter: a record passes unless its message starts with one of the dropped ids. */
    static final class Drop implements Filter {
        final AtomicLong dropped = new AtomicLong();

        @Override
        public boolean isLoggable(LogRecord record) {
            var message = record.getMessage();
            for (var id : DROPPED) {
                if (message != null && message.startsWith(id)) { // a record per asynchronous request: no copy of the message made
                    if (dropped.getAndIncrement() == 0) {
                        LOG.log(System.Logger.Level.INFO, "The CDI warning {0} about asynchronous requests is not logged from now on: Payara "
                                + "raises it for every long poll and closed event stream, and CDI cleans up after it", id);
                    }
                    return false;
                }
            }
            return true;
        }
    }
}
