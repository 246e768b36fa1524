package org.switchboard.ledger.control;

import java.net.URI;
import java.util.UUID;
import org.lightcouch.CouchDbClient;
import org.lightcouch.CouchDbProperties;
import org.switchboard.testkit.TestServers;

/** A fresh database on the harness's CouchDB-API server (PouchDB Server, or an external CouchDB), one per test. */
public final class Couch {

    private Couch() {
    }

    public static CouchDbClient freshDatabase() {
        var server = TestServers.couchDb();
        var url = URI.create(server.url());
        return new CouchDbClient(new CouchDbProperties()
                .setDbName("ledger-test-" + UUID.randomUUID().toString().substring(0, 8))
                .setCreateDbIfNotExist(true)
                .setProtocol(url.getScheme()).setHost(url.getHost()).setPort(url.getPort())
                .setUsername(server.user()).setPassword(server.password())
                .setMaxConnections(32).setConnectionTimeout(2000).setSocketTimeout(30_000));
    }
}
