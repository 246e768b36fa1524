package org.switchboard.ui.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import org.eclipse.microprofile.health.Readiness;
import org.switchboard.ui.platform.Components.ComponentStatus;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.util.EntityUtils;
import org.lightcouch.CouchDbClient;
import org.lightcouch.NoDocumentException;

/**
 * Ready when the CouchDB-API server answers and the ledger database exists. A database that went
 * missing (a server restarted without its data) is created again, so the node recovers by itself.
 */
@Readiness
@ApplicationScoped
public class CouchDbHealth implements ServerCheck {

    @Inject
    Provider<CouchDbClient> ledger;

    @Inject
    Settings settings;

    @Override
    public ComponentStatus status() {
        return Probe.run("couchdb", () -> {
            var client = ledger.get();
            // the database's own GET, not LightCouch's info(): that parses update_seq as a number, and
            // CouchDB 2 and later send an opaque string
            try {
                EntityUtils.consumeQuietly(client.executeRequest(new HttpGet(client.getDBUri())).getEntity());
            } catch (NoDocumentException missing) {
                client.context().createDB(settings.ledgerDatabase());
            }
            return "CouchDB API " + client.context().serverVersion();
        });
    }
}
