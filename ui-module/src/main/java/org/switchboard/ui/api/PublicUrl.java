package org.switchboard.ui.api;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The addresses the application hands out (a {@code Location}, a long poll's {@code next}, a
 * redirect to the login page) come from {@code switchboard.public-url} when it is set (the address
 * users reach the application at, with its path, e.g. {@code https://switchboard.example.com}), and
 * are path-absolute otherwise ({@code /api/...} under the context path), which clients resolve
 * against the address they called. Never from the request's {@code Host} header: the client chooses
 * it, and a proxy or a cache could hand a forged one to others.
 */
@ApplicationScoped
public class PublicUrl {

    @Inject
    @ConfigProperty(name = "switchboard.public-url")
    Optional<String> configured;

    /** The configured root without its trailing slashes, worked out once: it is asked on every long-poll answer. */
    private String root;

    @PostConstruct
    void normalise() {
        root = configured.map(url -> url.replaceAll("/+$", "")).orElse(null);
    }

    /** The address of {@code path} (from the application's root, starting with '/') for a request under {@code contextPath}. */
    public String of(String contextPath, String path) {
        return (root == null ? contextPath : root) + path;
    }

    /** A redirect written by hand: the container's own would complete the address with the request's {@code Host}. */
    public void redirect(HttpServletResponse response, String contextPath, String path) {
        response.setStatus(HttpServletResponse.SC_FOUND);
        response.setHeader("Location", of(contextPath, path));
    }
}
