package org.switchboard.ui.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStoreHandler;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import org.switchboard.ui.api.ClientAddress;
import org.switchboard.ui.api.Problem;
import org.switchboard.ui.api.PublicUrl;
import org.switchboard.ui.web.SecurityHeaders;

/**
 * Form login for pages, HTTP Basic for the API, in one mechanism.
 *
 * <ul>
 * <li>A request with {@code Authorization: Basic} is checked on its own; no session is made.</li>
 * <li>The login page authenticates through {@code SecurityContext.authenticate}; success changes the
 * session id (no fixation) and marks the session.</li>
 * <li>A marked session authenticates pages. On {@code /api} it counts only for GET and HEAD, or with
 * an {@code X-Requested-With} header that a cross-site form cannot send: no CSRF through the
 * cookie.</li>
 * <li>An unauthenticated request for a protected page is sent to the login page; the API answers
 * 401 problem+json itself (see the API's exception mappers).</li>
 * </ul>
 */
@ApplicationScoped
public class SwitchboardAuthentication implements HttpAuthenticationMechanism {

    static final String SESSION_MARK = "switchboard.admin";
    private static final String REALM = "Switchboard";

    @Inject
    PublicUrl urls;

    @Inject
    ClientAddress clients;

    @Inject
    IdentityStoreHandler identityStores;

    @Inject
    LoginThrottle throttle;

    /** Set on the request when a login was refused for too many failures: the login page says so. */
    public static final String THROTTLED = "switchboard.login.throttled";

    @Override
    public AuthenticationStatus validateRequest(HttpServletRequest request, HttpServletResponse response,
                                                HttpMessageContext context) {
        SecurityHeaders.apply(request, response); // this may answer before any filter runs
        if (context.isAuthenticationRequest() && context.getAuthParameters().getCredential() instanceof UsernamePasswordCredential login) {
            return formLogin(request, context, login);
        }
        var header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return basic(header.substring(6).strip(), request, response, context);
        }
        var session = request.getSession(false);
        if (session != null && session.getAttribute(SESSION_MARK) != null && sessionCounts(request)) {
            return context.notifyContainerAboutLogin(AdminIdentityStore.ADMIN, Set.of(AdminIdentityStore.ADMIN));
        }
        if (context.isProtected() && !isApi(request)) {
            return toLoginPage(request, context);
        }
        // the API's @RolesAllowed answers 401 problem+json itself, through its exception mappers
        return context.doNothing();
    }

    private AuthenticationStatus formLogin(HttpServletRequest request, HttpMessageContext context, UsernamePasswordCredential login) {
        var blocked = throttle.blockedFor(clients.of(request), login.getCaller());
        if (blocked.isPresent()) {
            request.setAttribute(THROTTLED, blocked.get());
            return AuthenticationStatus.SEND_FAILURE;
        }
        var result = identityStores.validate(login);
        if (result.getStatus() != CredentialValidationResult.Status.VALID) {
            throttle.failed(clients.of(request), login.getCaller());
            // the login page says so itself; the response stays the page's
            return AuthenticationStatus.SEND_FAILURE;
        }
        throttle.succeeded(clients.of(request), login.getCaller());
        request.getSession(true);
        request.changeSessionId();
        request.getSession().setAttribute(SESSION_MARK, Boolean.TRUE);
        return context.notifyContainerAboutLogin(result);
    }

    /** Wrong credentials are refused at once, whatever the resource: a client must not go on as anonymous. */
    private AuthenticationStatus basic(String encoded, HttpServletRequest request, HttpServletResponse response, HttpMessageContext context) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return unauthorized(response, context);
        }
        var colon = decoded.indexOf(':');
        if (colon < 0) {
            return unauthorized(response, context);
        }
        var user = decoded.substring(0, colon);
        var blocked = throttle.blockedFor(clients.of(request), user);
        if (blocked.isPresent()) {
            return tooManyFailures(response, blocked.get());
        }
        var result = identityStores.validate(new UsernamePasswordCredential(user, decoded.substring(colon + 1)));
        if (result.getStatus() == CredentialValidationResult.Status.VALID) {
            throttle.succeeded(clients.of(request), user);
            return context.notifyContainerAboutLogin(result);
        }
        throttle.failed(clients.of(request), user);
        return unauthorized(response, context);
    }


    private static boolean sessionCounts(HttpServletRequest request) {
        if (!isApi(request)) {
            return true;
        }
        var method = request.getMethod();
        return "GET".equals(method) || "HEAD".equals(method) || request.getHeader("X-Requested-With") != null;
    }

    private static boolean isApi(HttpServletRequest request) {
        var path = request.getRequestURI().substring(request.getContextPath().length());
        return path.equals("/api") || path.startsWith("/api/");
    }

    private AuthenticationStatus toLoginPage(HttpServletRequest request, HttpMessageContext context) {
        var next = request.getRequestURI().substring(request.getContextPath().length());
        if (request.getQueryString() != null) {
            next += "?" + request.getQueryString();
        }
        urls.redirect(context.getResponse(), request.getContextPath(), "/login.xhtml?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
        return AuthenticationStatus.SEND_CONTINUE;
    }

    static AuthenticationStatus unauthorized(HttpServletResponse response, HttpMessageContext context) {
        try {
            response.setHeader("WWW-Authenticate", challenge());
            Problem.of(Response.Status.UNAUTHORIZED, "This call needs the admin login (HTTP Basic).").write(response);
        } catch (IOException e) {
            // the client went away; nothing more to tell it
        }
        return AuthenticationStatus.SEND_FAILURE;
    }

    private static AuthenticationStatus tooManyFailures(HttpServletResponse response, Duration wait) {
        try {
            response.setHeader("Retry-After", String.valueOf(Math.max(1, wait.toSeconds())));
            Problem.of(Response.Status.TOO_MANY_REQUESTS, "Too many failed logins from this address; try again in "
                    + Math.max(1, wait.toSeconds()) + " s.").write(response);
        } catch (IOException e) {
            // the client went away
        }
        return AuthenticationStatus.SEND_FAILURE;
    }

    public static String challenge() {
        return "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"";
    }
}
