package org.switchboard.ledger.control;

import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.function.Supplier;
import org.lightcouch.CouchDbClient;
import org.lightcouch.CouchDbException;
import org.lightcouch.CouchDbProperties;

/**
 * The CouchDB nodes the ledger may send its requests to, any of which coordinates a request for the
 * whole cluster: one client each, made at its first use (a coordinator that is down when the
 * application starts does not keep it from using the others). Requests go to one coordinator
 * until it cannot be reached; then to the next.
 *
 * <p>A request that found its coordinator refusing connections was never sent, so it is sent again
 * to the next one at once. A request whose answer was lost (a timeout, a connection cut) may have
 * been carried out: it is not sent again here, and the caller sees the failure; the next request
 * goes to the next coordinator. Every write of the ledger is safe to repeat in any case (a write
 * names the revision it replaces, or a document id that can be stored once).
 */
public final class CouchCoordinators implements AutoCloseable {

    private final List<Supplier<CouchDbClient>> makers;
    private final AtomicReferenceArray<CouchDbClient> clients;
    private final AtomicInteger current = new AtomicInteger();

    private CouchCoordinators(List<Supplier<CouchDbClient>> makers) {
        if (makers.isEmpty()) {
            throw new IllegalArgumentException("no CouchDB coordinator");
        }
        this.makers = List.copyOf(makers);
        this.clients = new AtomicReferenceArray<>(makers.size());
    }

    /** One client per coordinator, each made from its properties when first needed. */
    public static CouchCoordinators of(List<CouchDbProperties> coordinators) {
        var makers = new ArrayList<Supplier<CouchDbClient>>();
        coordinators.forEach(p -> makers.add(() -> new CouchDbClient(p)));
        return new CouchCoordinators(makers);
    }

    /** A single client made elsewhere (tests, tools). */
    public static CouchCoordinators of(CouchDbClient client) {
        return new CouchCoordinators(List.of(() -> client));
    }

    /** Runs {@code call} on the current coordinator, moving on to the next while coordinators refuse connections. */
    public <T> T call(Function<CouchDbClient, T> call) {
        for (int tried = 1; ; tried++) {
            var index = current.get();
            try {
                return call.apply(client(index));
            } catch (CouchDbException e) {
                if (!lostConnection(e)) {
                    throw e;
                }
                current.compareAndSet(index, (index + 1) % clients.length());
                if (!neverSent(e) || tried >= clients.length()) {
                    throw e;
                }
            }
        }
    }

    private CouchDbClient client(int index) {
        var client = clients.get(index);
        if (client == null) {
            synchronized (this) {
                client = clients.get(index);
                if (client == null) {
                    client = makers.get(index).get();
                    clients.set(index, client);
                }
            }
        }
        return client;
    }

    private static boolean lostConnection(Throwable e) {
        for (var cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** Refused before anything was sent. */
    private static boolean neverSent(Throwable e) {
        for (var cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public synchronized void close() {
        for (int i = 0; i < clients.length(); i++) {
            var client = clients.getAndSet(i, null);
            if (client != null) {
                client.shutdown();
            }
        }
    }
}
