package org.switchboard.ui.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.Readiness;
import org.switchboard.ledger.boundary.Ledger;
import org.switchboard.ui.platform.Components.ComponentStatus;

/**
 * Ready when a CouchDB coordinator of the ledger answers and the ledger database is there. A
 * database that went missing (a server restarted without its data) is made again, so the node
 * recovers by itself.
 */
@Readiness
@ApplicationScoped
public class CouchDbHealth implements ServerCheck {

    @Inject
    Ledger ledger;

    @Override
    public ComponentStatus status() {
        return Probe.run("couchdb", ledger::probe);
    }
}
