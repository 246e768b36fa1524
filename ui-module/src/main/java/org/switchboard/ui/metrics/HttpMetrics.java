package org.switchboard.ui.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.switchboard.ui.platform.Drain;

/**
 * Every request the application answers, timed by method, route and status
 * ({@code http_server_requests_seconds}, Micrometer's name for it, which ready-made dashboards know).
 * The route is the template the request matched ({@code /api/jobs/{id}}), never the raw path, so that
 * the number of series stays bounded whatever clients send. A request answered asynchronously (a long
 * poll, an event stream) is timed until it completes. Mapped first in {@code web.xml}, so that it
 * times the whole answer, the security layer and the stream filters included.
 */
public class HttpMetrics extends HttpFilter {

    /** The request attribute that names the matched route: set by the JAX-RS layer and the stream filters. */
    public static final String ROUTE = "switchboard.metrics.route";
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    @Inject
    MeterRegistry registry;

    /** Counts the requests under way, which a stopping node waits for. */
    @Inject
    Drain drain;

    @Override
    public void init() {
        Gauge.builder("http.server.requests.active", drain, Drain::active)
                .description("Requests under way on this node, event streams and long polls included").register(registry);
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain) throws IOException, ServletException {
        var start = System.nanoTime();
        drain.started();
        try {
            chain.doFilter(request, response);
        } finally {
            if (request.isAsyncStarted()) {
                request.getAsyncContext().addListener(new AsyncListener() {
                    @Override
                    public void onComplete(AsyncEvent event) {
                        record(request, response, start);
                    }

                    @Override
                    public void onTimeout(AsyncEvent event) {
                        // completes next: recorded then
                    }

                    @Override
                    public void onError(AsyncEvent event) {
                        // completes next: recorded then
                    }

                    @Override
                    public void onStartAsync(AsyncEvent event) {
                        event.getAsyncContext().addListener(this);
                    }
                });
            } else {
                record(request, response, start);
            }
        }
    }

    private void record(HttpServletRequest request, HttpServletResponse response, long start) {
        drain.ended();
        var status = response.getStatus();
        Timer.builder("http.server.requests")
                .description("Requests answered by this node, by method, route and status")
                .tag("method", method(request.getMethod()))
                .tag("uri", route(request, status))
                .tag("status", Integer.toString(status))
                .tag("outcome", outcome(status))
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    static String route(HttpServletRequest request, int status) {
        if (request.getAttribute(ROUTE) instanceof String route) {
            return route;
        }
        if (status == 404) {
            return "NOT_FOUND";
        }
        if (status >= 300 && status < 400) {
            return "REDIRECTION";
        }
        var path = request.getServletPath();
        if (path.endsWith(".xhtml") || path.endsWith("/") || path.equals("/metrics")) {
            return path; // the pages (and their folders) and endpoints that exist, since a missing one is NOT_FOUND: a bounded set
        }
        if (path.startsWith("/resources/") || path.startsWith("/jakarta.faces.resource/") || path.startsWith("/webjars/")) {
            return "STATIC";
        }
        return path.startsWith("/api") ? "/api/UNKNOWN" : "UNKNOWN";
    }

    private static String method(String method) {
        return switch (method) {
            case "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS" -> method;
            default -> "OTHER";
        };
    }

    private static String outcome(int status) {
        return switch (status / 100) {
            case 1 -> "INFORMATIONAL";
            case 2 -> "SUCCESS";
            case 3 -> "REDIRECTION";
            case 4 -> "CLIENT_ERROR";
            case 5 -> "SERVER_ERROR";
            default -> "UNKNOWN";
        };
    }
}
