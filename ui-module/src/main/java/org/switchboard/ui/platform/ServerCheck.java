package org.switchboard.ui.platform;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.switchboard.ui.platform.Components.ComponentStatus;

/**
 * The readiness check of one server. {@code /health/ready} is public, so its answer says only up or
 * down; what the server is (address, version) or why it is down goes to the admin pages, through
 * {@link #status()}.
 */
public interface ServerCheck extends HealthCheck {

    ComponentStatus status();

    @Override
    default HealthCheckResponse call() {
        var status = status();
        return HealthCheckResponse.named(status.name()).status(status.up()).build();
    }
}
