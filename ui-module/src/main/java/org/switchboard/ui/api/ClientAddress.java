package org.switchboard.ui.api;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The client's address, which the login throttle and the chat's limits count by. Behind a reverse
 * proxy every request comes from the proxy's address, so the limits would fall on all clients at once:
 * when the request comes from an address in {@code switchboard.trusted-proxies} (comma-separated),
 * the client is the last address of {@code X-Forwarded-For} that is not itself a trusted proxy. From
 * any other address the header is ignored, since a client can write it.
 */
@ApplicationScoped
public class ClientAddress {

    @Inject
    @ConfigProperty(name = "switchboard.trusted-proxies")
    Optional<String> trustedProxies;

    /** Parsed once: every chat post and every login asks. */
    private Set<String> trusted;

    protected ClientAddress() {
        // for CDI
    }

    ClientAddress(String trustedProxies) {
        this.trustedProxies = Optional.of(trustedProxies);
        parse();
    }

    @PostConstruct
    void parse() {
        trusted = Arrays.stream(trustedProxies.orElse("").split(",")).map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }

    public String of(HttpServletRequest request) {
        return of(request.getRemoteAddr(), request.getHeaders("X-Forwarded-For") == null ? List.of()
                : Collections.list(request.getHeaders("X-Forwarded-For")));
    }

    /** The client behind {@code remote}, given the {@code X-Forwarded-For} headers in the order received. */
    String of(String remote, List<String> forwardedFor) {
        if (!trusted.contains(remote)) {
            return remote;
        }
        var hops = forwardedFor.stream().flatMap(h -> Arrays.stream(h.split(","))).map(String::strip).filter(s -> !s.isEmpty()).toList();
        for (int i = hops.size() - 1; i >= 0; i--) {
            if (!trusted.contains(hops.get(i))) {
                return hops.get(i);
            }
        }
        return hops.isEmpty() ? remote : hops.get(0);
    }
}
