package org.switchboard.ui.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.List;
import org.eclipse.microprofile.health.Readiness;

/** The state of each server the application needs, with its details, from the same checks as {@code /health/ready}. */
@ApplicationScoped
public class Components {

    @Inject
    @Readiness
    Instance<ServerCheck> checks;

    public List<ComponentStatus> statuses() {
        return checks.stream()
                .map(ServerCheck::status)
                .sorted(Comparator.comparing(ComponentStatus::name))
                .toList();
    }

    /** One server: its name, whether it is up, and what it said (what it is, or the error). */
    public record ComponentStatus(String name, boolean up, String detail) {
    }
}
