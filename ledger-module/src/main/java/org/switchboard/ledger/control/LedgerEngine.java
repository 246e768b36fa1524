package org.switchboard.ledger.control;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Provider;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

    private Supplier<CouchCoordinators> couchDb;
    private CouchCoordinators made;
    private int batchSize;
    private boolean guarded = true;
    private CouchLedgerStore store;
    private Resolver resolver;
    private LedgerMetrics metrics = LedgerMetrics.none();
    private Relay relay = Relay.off();

    protected LedgerEngine() {
        // for CDI's proxy
    }

    /** {@code coordinators}: one client's properties per CouchDB node the ledger may send its requests to, tried in turn. */
    /** {@code guarded}: whether the database refuses changes to decided transfers, see {@link CouchLedgerStore#install(boolean)}. */
    @Inject
    public LedgerEngine(Provider<List<CouchDbProperties>> coordinators,
            @ConfigProperty(name = "switchboard.ledger.batch", defaultValue = "200") int batchSize,
            @ConfigProperty(name = "switchboard.ledger.guard-writes", defaultValue = "true") boolean guarded,
            @ConfigProperty(name = "switchboard.ledger.relay-url") Optional<String> relayUrl,
            @ConfigProperty(name = "switchboard.ledger.relay-secret") Optional<String> relaySecret, MeterRegistry meters) {
        this.couchDb = () -> {
            synchronized (this) {
                if (made == null) {
                    made = CouchCoordinators.of(coordinators.get());
                }
                return made;
            }
        };
        this.batchSize = batchSize;
        this.guarded = guarded;
        this.relay = Relay.at(relayUrl.orElse(null), relaySecret.orElse(null));
        this.metrics = new LedgerMetrics(meters);
    }

    /**
     * Outside a container (tools): this node takes relayed transfers at {@code address} and sends its
     * callers' transfers to the deciding node's, with the secret every node shares. Before the first use.
     */
    public synchronized void relayAt(String address, String secret) {
        if (store != null) {
            throw new IllegalStateException("the relay is set before the ledger's first use");
        }
        relay = Relay.at(address, secret);
    }

    /** Outside a container (tests, tools): the client comes from {@code couchDb}, asked at the first use. */
    public static LedgerEngine on(Supplier<CouchDbClient> couchDb, int batchSize) {
        var engine = new LedgerEngine();
        engine.couchDb = () -> CouchCoordinators.of(couchDb.get());
        engine.batchSize = batchSize;
        return engine;
    }

    /**
     * The ledger in the database {@code database} of the CouchDB at {@code urls}, for tools: one or
     * more coordinators, comma-separated, each {@code http://user:password@host:port}.
     */
    public static LedgerEngine connect(String urls, String database, int connections, int batchSize, boolean guarded) {
        var coordinators = new ArrayList<CouchDbProperties>();
        for (var url : urls.split(",")) {
            var uri = URI.create(url.strip());
            var properties = new CouchDbProperties().setDbName(database).setCreateDbIfNotExist(true)
                    .setProtocol(uri.getScheme()).setHost(uri.getHost()).setPort(uri.getPort())
                    .setMaxConnections(connections).setConnectionTimeout(5000).setSocketTimeout(600_000);
            if (uri.getUserInfo() != null) {
                var user = uri.getUserInfo().split(":", 2);
                properties.setUsername(user[0]).setPassword(user.length > 1 ? user[1] : "");
            }
            coordinators.add(properties);
        }
        var engine = new LedgerEngine();
        engine.made = CouchCoordinators.of(coordinators);
        engine.couchDb = () -> engine.made;
        engine.batchSize = batchSize;
        engine.guarded = guarded;
        return engine;
    }

    @PreDestroy
    public synchronized void close() {
        if (resolver != null) {
            resolver.close();
        }
        if (made != null) {
            made.close();
        }
    }

    public synchronized CouchLedgerStore store() {
        if (store == null) {
            var s = new CouchLedgerStore(couchDb.get());
            s.install(guarded);
            resolver = new Resolver(s, batchSize, metrics);
            resolver.relayThrough(relay);
            store = s;
        }
        return store;
    }

    /**
     * Which CouchDB answers, through which coordinator: for readiness. A database that went missing
     * (a server restarted without its data) is made again with the ledger's documents.
     */
    public String probe() {
        return store().probe();
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
