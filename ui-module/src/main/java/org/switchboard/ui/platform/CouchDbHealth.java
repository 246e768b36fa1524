package org.switchboard.ui.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.lightcouch.CouchDbClient;

/** Ready when the CouchDB-API server answers and the ledger database exists (it is created if not). */
@Readiness
@ApplicationScoped
public class CouchDbHealth implements HealthCheck {

    @Inject
    Provider<CouchDbClient> ledger;

    @Override
    public HealthCheckResponse call() {
        return Probe.run("couchdb", () -> {
            var client = ledger.get();
            client.context().info();
            return "CouchDB API " + client.context().serverVersion();
        });
    }
}
