package org.switchboard.ui.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** The state of each server the application needs, from the same checks as {@code /health/ready}. */
@ApplicationScoped
public class Components {

    @Inject
    @Readiness
    Instance<HealthCheck> checks;

    public List<ComponentStatus> statuses() {
        return checks.stream()
                .map(HealthCheck::call)
                .map(ComponentStatus::of)
                .sorted(Comparator.comparing(ComponentStatus::name))
                .toList();
    }

    /** One server: its name, whether it is up, and what it said (its version, or the error). */
    public record ComponentStatus(String name, boolean up, String detail) {

        static ComponentStatus of(HealthCheckResponse response) {
            var data = response.getData().orElse(Map.of());
            var detail = String.valueOf(data.getOrDefault("server", data.getOrDefault("error", "")));
            return new ComponentStatus(response.getName(), response.getStatus() == HealthCheckResponse.Status.UP, detail);
        }
    }
}
