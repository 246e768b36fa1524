package org.switchboard.ui.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness: DOWN from the moment the node begins to stop ({@link Drain}), so that load balancers send it nothing new. */
@Readiness
@ApplicationScoped
public class AcceptingCheck implements HealthCheck {

    @Inject
    Drain drain;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("accepting").status(!drain.draining()).build();
    }
}
