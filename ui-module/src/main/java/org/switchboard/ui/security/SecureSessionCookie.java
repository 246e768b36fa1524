package org.switchboard.ui.security;

import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The session cookie is {@code Secure} when users reach the application over TLS. The container
 * marks it so for a request that came over TLS to it; behind a proxy that ends TLS, every request
 * comes over plain HTTP, so the public address decides: with {@code switchboard.public-url} on
 * {@code https:}, every session cookie is {@code Secure}, and a browser never sends it in clear.
 */
@WebListener
public class SecureSessionCookie implements ServletContextListener {

    @Inject
    @ConfigProperty(name = "switchboard.public-url")
    Optional<String> publicUrl;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        if (publicUrl.filter(url -> url.regionMatches(true, 0, "https:", 0, 6)).isPresent()) {
            event.getServletContext().getSessionCookieConfig().setSecure(true);
        }
    }
}
