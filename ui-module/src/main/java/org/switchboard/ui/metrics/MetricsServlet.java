package org.switchboard.ui.metrics;

import jakarta.inject.Inject;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.switchboard.ui.api.Problem;

/**
 * {@code GET /metrics}: the node's meters for Prometheus, in its text format, or OpenMetrics when the
 * scraper asks for it. Open by default, like {@code /health}: it tells counts and latencies, no
 * content. {@code switchboard.metrics.enabled=false} switches it off (404);
 * {@code switchboard.metrics.token} makes it answer only a scraper that sends
 * {@code Authorization: Bearer <token>} (Prometheus: {@code authorization.credentials}).
 */
@WebServlet("/metrics")
public class MetricsServlet extends HttpServlet {

    /** The two formats the registry writes (Prometheus's exposition formats, by their media types). */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    @Inject
    Metrics metrics;

    @Inject
    @ConfigProperty(name = "switchboard.metrics.enabled", defaultValue = "true")
    boolean enabled;

    @Inject
    @ConfigProperty(name = "switchboard.metrics.token")
    Optional<String> token;

    /** Only read: any other method is a 405 problem, not the container's page. */
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            response.setHeader("Allow", "GET, HEAD");
            new Problem("about:blank", "Method Not Allowed", 405, "/metrics is read with GET.", null).write(response);
            return;
        }
        super.service(request, response);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!enabled) {
            new Problem("about:blank", "Not Found", 404, "Metrics are switched off on this node (switchboard.metrics.enabled).", null).write(response);
            return;
        }
        if (token.filter(t -> !t.isBlank()).isPresent() && !authorized(request.getHeader("Authorization"), token.get())) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"metrics\"");
            new Problem("about:blank", "Unauthorized", 401, "Metrics need the token set in switchboard.metrics.token, as a bearer token.", null)
                    .write(response);
            return;
        }
        var accept = request.getHeader("Accept");
        var type = accept != null && accept.contains("application/openmetrics-text")
                ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
        var body = metrics.prometheus().scrape(type).getBytes(StandardCharsets.UTF_8);
        response.setContentType(type);
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** Compared in constant time: how long a refusal takes says nothing about the token. */
    static boolean authorized(String header, String token) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(header.substring(7).strip().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }
}
