package org.switchboard.ledger.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.net.URI;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.lightcouch.CouchDbClient;
import org.lightcouch.CouchDbException;
import org.lightcouch.CouchDbProperties;
import org.lightcouch.DocumentConflictException;
import org.lightcouch.NoDocumentException;
import org.switchboard.ledger.boundary.LedgerUnavailableException;

/**
 * The ledger's store and resolver on the application's CouchDB client, made at the first use (the
 * design documents are installed then, so the application starts while CouchDB is down). Also the one
 * place where CouchDB's failures become {@link LedgerUnavailableException}.
 */
@ApplicationScoped
public class LedgerEngine {

    private Supplier<CouchDbClient> couchDb;
    private int batchSize;
    private CouchLedgerStore store;
    private Resolver resolver;

    protected LedgerEngine() {
        // for CDI's proxy
    }

    @Inject
    public LedgerEngine(Provider<CouchDbClient> couchDb, @ConfigProperty(name = "switchboard.ledger.batch", defaultValue = "200") int batchSize) {
        this.couchDb = couchDb::get;
        this.batchSize = batchSize;
    }

    /** Outside a container (tests, tools): the client comes from {@code couchDb}, asked at the first use. */
    public static LedgerEngine on(Supplier<CouchDbClient> couchDb, int batchSize) {
        var engine = new LedgerEngine();
        engine.couchDb = couchDb;
        engine.batchSize = batchSize;
        return engine;
    }

    /** The ledger in the database {@code database} of the CouchDB at {@code url} ({@code http://user:password@host:port}), for tools. */
    public static LedgerEngine connect(String url, String database, int connections, int batchSize) {
        var uri = URI.create(url);
        var properties = new CouchDbProperties().setDbName(database).setCreateDbIfNotExist(true)
                .setProtocol(uri.getScheme()).setHost(uri.getHost()).setPort(uri.getPort())
                .setMaxConnections(connections).setConnectionTimeout(5000).setSocketTimeout(60_000);
        if (uri.getUserInfo() != null) {
            var user = uri.getUserInfo().split(":", 2);
            properties.setUsername(user[0]).setPassword(user.length > 1 ? user[1] : "");
        }
        var client = new CouchDbClient(properties);
        return on(() -> client, batchSize);
    }

    public synchronized CouchLedgerStore store() {
        if (store == null) {
            var s = new CouchLedgerStore(couchDb.get());
            s.install();
            resolver = new Resolver(s, batchSize);
            store = s;
        }
        return store;
    }

    public Resolver resolver() {
        store();
        return resolver;
    }

    /**
     * CouchDB out of reach (no connection, a 5xx answer) as the module's own failure; a missing
     * document or a conflict is the ledger's logic, and anything else a defect: both go on as they are.
     */
    public static RuntimeException unavailable(RuntimeException failure) {
        var cause = failure instanceof CompletionException && failure.getCause() instanceof RuntimeException c ? c : failure;
        if (cause instanceof CouchDbException e && !(e instanceof NoDocumentException) && !(e instanceof DocumentConflictException)) {
            return new LedgerUnavailableException("CouchDB cannot be reached: " + e.getMessage(), e);
        }
        return cause;
    }
}
