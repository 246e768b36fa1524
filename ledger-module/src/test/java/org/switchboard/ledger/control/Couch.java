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
        return database("ledger-test-" + UUID.randomUUID().toString().substring(0, 8));
    }

    /** Deletes the database of {@code db} and closes the client. */
    public static void drop(CouchDbClient db) {
        db.context().deleteDB(db.getDBUri().getPath().replace("/", ""), "delete database");
        db.shutdown();
    }

    /** A client of the database {@code name}, made if it is not there. */
    public static CouchDbClient database(String name) {
        var server = TestServers.couchDb();
        var url = URI.create(server.url());
        return new CouchDbClient(new CouchDbProperties()
                .setDbName(name)
                .setCreateDbIfNotExist(true)
                .setProtocol(url.getScheme()).setHost(url.getHost()).setPort(url.getPort())
                .setUsername(server.user()).setPassword(server.password())
                .setMaxConnections(32).setConnectionTimeout(2000).setSocketTimeout(30_000));
    }
}
