package org.switchboard.ui.api;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * The standard reason phrase in the status line of every status the API answers. The Servlet API
 * sets only the status code (Servlet 6 dropped {@code setStatus(int, String)}), and Payara Micro's
 * HTTP layer (Grizzly) writes its own phrase from a table that lacks 422 and 429: "HTTP/1.1 422
 * CUSTOM". Clients and proxies that log or show the phrase then show a wrong one. So, as the
 * application starts, the missing phrases are added to that table through its own registration
 * method, which is not public; on another container the table is left alone.
 */
@WebListener
public class ReasonPhrases implements ServletContextListener {

    /** The statuses the API answers that the container's table lacks, with RFC 9110's phrases. */
    static final Map<Integer, String> MISSING = Map.of(422, "Unprocessable Content", 429, "Too Many Requests");
    private static final String TABLE = "org.glassfish.grizzly.http.util.HttpStatus";
    private static final System.Logger LOG = System.getLogger(ReasonPhrases.class.getName());

    @Override
    public void contextInitialized(ServletContextEvent event) {
        try {
            var table = Class.forName(TABLE, true, event.getServletContext().getClass().getClassLoader());
            var phraseOf = table.getMethod("getReasonPhrase");
            var lookUp = table.getMethod("getHttpStatus", int.class);
            Method register = table.getDeclaredMethod("register", int.class, String.class);
            register.setAccessible(true);
            for (var missing : MISSING.entrySet()) {
                var known = phraseOf.invoke(lookUp.invoke(null, missing.getKey()));
                if (!missing.getValue().equals(known)) {
                    register.invoke(null, missing.getKey(), missing.getValue());
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "The HTTP layer's reason phrases were left as they are: " + e);
        }
    }
}
