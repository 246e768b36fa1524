package org.switchboard.ui.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The headers that keep a browser from doing more with the application's answers than it means:
 * <ul>
 * <li>{@code Content-Security-Policy}: scripts, styles, images and connections from this origin only,
 * and no inline script or style (every script is a file under {@code resources/js}), so that markup
 * injected into a page cannot run; no plugin, no {@code <base>} elsewhere, forms post here only, and
 * no other site may frame a page ({@code frame-ancestors 'none'}; {@code X-Frame-Options: DENY}
 * for browsers that predate it);</li>
 * <li>{@code X-Content-Type-Options: nosniff}: a JSON answer is never taken for a script or a page;</li>
 * <li>{@code Referrer-Policy: same-origin}: the admin pages' addresses (ids, names) never go to another
 * site;</li>
 * <li>{@code Cross-Origin-Opener-Policy: same-origin}: a page opened from another site gets no handle
 * on it.</li>
 * </ul>
 * Set before the answer is written, on every answer of the application, the API's included: here,
 * and by the authentication mechanism, which answers some requests (a redirect to the login page, a
 * 401) before any filter runs.
 */
public class SecurityHeaders extends HttpFilter {

    static final String POLICY = policy("'self'");
    /** The API explorer's: Swagger UI sets style attributes as it renders (its scripts are still files of this origin only). */
    static final String EXPLORER_POLICY = policy("'self' 'unsafe-inline'");

    private static String policy(String styles) {
        return "default-src 'self'; script-src 'self'; style-src " + styles + "; img-src 'self' data:; connect-src 'self'; "
                + "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain) throws IOException, ServletException {
        apply(request, response);
        chain.doFilter(request, response);
    }

    public static void apply(HttpServletRequest request, HttpServletResponse response) {
        var explorer = request.getRequestURI().startsWith(request.getContextPath() + "/api-docs/");
        response.setHeader("Content-Security-Policy", explorer ? EXPLORER_POLICY : POLICY);
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "same-origin");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    }
}
