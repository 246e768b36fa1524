package org.switchboard.ledger.boundary;

import com.sun.net.httpserver.HttpServer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.switchboard.ledger.control.CouchLedgerStore;
import org.switchboard.ledger.control.InvariantCheck;
import org.switchboard.ledger.control.LedgerEngine;
import org.switchboard.ledger.control.Relay;
import org.switchboard.ledger.entity.Account;
import org.switchboard.ledger.entity.InvariantReport;
import org.switchboard.ledger.entity.Transfer;
import org.switchboard.ledger.entity.TransferStatus;

/**
 * The ledger, for the REST API and other modules: accounts, transfers that wait until they are
 * decided, statements, and the invariant check. Every node sweeps: a transfer whose caller died
 * is decided within a second or so by whichever node gets there first. CouchDB out of reach throws
 * {@link LedgerUnavailableException}.
 */
@ApplicationScoped
public class Ledger {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_:-]{1,64}");
    /**
     * A new account's or transfer's id has no ':'. Payara Micro 7.2025.1 cannot serve a path with a
     * colon (its authorization check throws before the application sees the request), so such an id
     * could not be read back over HTTP; ids made before keep working wherever they are given in a body.
     */
    private static final Pattern NEW_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final System.Logger LOG = System.getLogger(Ledger.class.getName());

    @Inject
    LedgerEngine engine;

    @Inject
    @ConfigProperty(name = "switchboard.ledger.sweep-millis", defaultValue = "1000")
    long sweepMillis;

    @Inject
    @ConfigProperty(name = "switchboard.ledger.wait-seconds", defaultValue = "10")
    long waitSeconds;

    private ScheduledExecutorService sweeper;

    protected Ledger() {
        // for CDI's proxy
    }

    /** Outside a container (tests): callers wait up to {@code wait} for their transfers. */
    Ledger(LedgerEngine engine, Duration wait) {
        this.engine = engine;
        this.waitSeconds = wait.toSeconds();
    }

    /**
     * The ledger in the database {@code database} of the CouchDB at {@code url}
     * ({@code http://user:password@host:port}), for tools outside a container.
     */
    public static Ledger connect(String url, String database, int connections, int batchSize, Duration wait) {
        return connect(url, database, connections, batchSize, wait, true);
    }

    /** {@link #connect(String, String, int, int, Duration)}, {@code guarded} or not: see {@code switchboard.ledger.guard-writes}. */
    public static Ledger connect(String url, String database, int connections, int batchSize, Duration wait, boolean guarded) {
        return new Ledger(LedgerEngine.connect(url, database, connections, batchSize, guarded), wait);
    }

    void start(@Observes Startup startup) {
        sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("ledger-sweeper").factory());
        sweeper.scheduleWithFixedDelay(this::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }

    /**
     * Which CouchDB answers the ledger, through which coordinator: for readiness checks. Throws
     * {@link LedgerUnavailableException} when none does. A database that went missing (a server
     * restarted without its data) is made again with the ledger's documents.
     */
    public String probe() {
        return guarded(engine::probe);
    }

    /** Closes the connections of a ledger made with {@link #connect}, and its relay's server if it serves one. */
    public void close() {
        stop();
        if (relayServer != null) {
            relayServer.stop(0);
        }
        engine.close();
    }

    private HttpServer relayServer;

    /**
     * A ledger made with {@link #connect}, before its first use: serves its relay on 127.0.0.1 at a
     * free port, and sends its callers' transfers to the deciding node's relay, with the secret every
     * node shares (in the application: {@code switchboard.ledger.relay-url} and {@code -secret}).
     */
    public Ledger relaying(String secret) {
        try {
            relayServer = Relay.serve(this::relayed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        engine.relayAt(Relay.address(relayServer), secret);
        return this;
    }

    /** Decides what is pending: the transfers of callers that died or gave up waiting. */
    public int sweep() {
        try {
            return guarded(() -> engine.resolver().resolveAll());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "The ledger sweep failed; trying again", e);
            return 0;
        }
    }

    /** Creates an account; answers it and whether it is new. The same id with other rules is a conflict. */
    public record Created(Account account, boolean created) {
    }

    public Created createAccount(String id, boolean allowNegative) {
        checkNewId("id", id);
        return guarded(() -> create(id, allowNegative));
    }

    /**
     * Creates many accounts with one rule (an import): answers how many are new. An id that exists
     * with the same rule is left as it is; with the other rule it is a conflict, once every other
     * account is created.
     */
    public int createAccounts(List<String> ids, boolean allowNegative) {
        ids.forEach(id -> checkNewId("id", id));
        var distinct = List.copyOf(new LinkedHashSet<>(ids));
        var existing = guarded(() -> store().createAccounts(distinct, allowNegative));
        var rules = existing.isEmpty() ? Map.<String, Boolean>of() : guarded(() -> store().accounts(existing));
        var known = new HashMap<String, Boolean>();
        distinct.forEach(id -> known.put(id, allowNegative));
        known.putAll(rules);
        engine.resolver().knows(known);
        for (var id : existing) {
            if (!Objects.equals(rules.get(id), allowNegative)) {
                throw new TransferConflictException("allowNegative", "account " + id + " exists with allowNegative " + rules.get(id));
            }
        }
        return distinct.size() - existing.size();
    }

    private Created create(String id, boolean allowNegative) {
        if (store().createAccount(id, allowNegative)) {
            engine.resolver().knows(Map.of(id, allowNegative));
            return new Created(new Account(id, 0, allowNegative), true);
        }
        var existing = store().allowNegative(id).orElseThrow();
        if (existing != allowNegative) {
            throw new TransferConflictException("allowNegative", "account " + id + " exists with allowNegative " + existing);
        }
        return new Created(account(id).orElseThrow(), false);
    }

    /** Every account with its balance: one read of the head, whatever the length of the history. */
    public List<Account> accounts() {
        return guarded(this::allAccounts);
    }

    private List<Account> allAccounts() {
        var balances = store().head().balances();
        var out = new ArrayList<Account>();
        store().accounts().forEach((id, allowNegative) -> out.add(new Account(id, balances.getOrDefault(id, 0L), allowNegative)));
        return out;
    }

    public Optional<Account> account(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return Optional.empty();
        }
        return guarded(() -> store().allowNegative(id).map(rule -> new Account(id, store().head().balance(id), rule)));
    }

    /**
     * Makes a transfer and waits until it is decided: answers it when successful; throws
     * {@link TransferRejectedException} when rejected, {@link TransferPendingException} when not yet
     * decided after the wait. An id sent again with the same fields answers the first outcome; with
     * other fields, {@link TransferConflictException} names the field that differs.
     */
    public Transfer transfer(String id, String from, String to, long amount) {
        var transferId = id == null ? UUID.randomUUID().toString() : id;
        checkTransfer(transferId, from, to, amount);
        var fresh = new Transfer(transferId, from, to, amount, Instant.now(), TransferStatus.PENDING, null, null, null);
        var transfer = guarded(() -> engine.resolver().submit(fresh, Duration.ofSeconds(waitSeconds)));
        return outcome(transfer);
    }

    /** The most transfers one batch may hold. */
    public static final int MAX_BATCH = 1000;

    /** A transfer of a batch, as asked for: {@code id} may be null (one is made). */
    public record TransferRequest(String id, String from, String to, long amount) {
    }

    /**
     * Makes each transfer of a batch on its own, in the order given: a transfer is decided on the
     * balances the ones before it left, and rejected on its own if they do not allow it. Answers each
     * one's outcome in the same order (successful, rejected or still pending), or the exception that
     * refused it (an id reused with other fields, an unknown account). Every transfer is checked
     * before any is made: one malformed transfer, or an id given twice, refuses the whole batch with
     * nothing stored. Resent whole, a batch answers the same outcomes.
     */
    public List<TransferOutcome> transferAll(List<TransferRequest> requests) {
        if (requests.isEmpty() || requests.size() > MAX_BATCH) {
            throw new InvalidLedgerRequestException("transfers", "a batch holds 1 to " + MAX_BATCH + " transfers");
        }
        var ids = new HashSet<String>();
        var base = Instant.now();
        var fresh = new ArrayList<Transfer>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            var r = requests.get(i);
            var transferId = r.id() == null ? UUID.randomUUID().toString() : r.id();
            try {
                checkTransfer(transferId, r.from(), r.to(), r.amount());
            } catch (InvalidLedgerRequestException e) {
                throw new InvalidLedgerRequestException("transfers[" + i + "]." + e.field(), e.getMessage());
            }
            if (!ids.add(transferId)) {
                throw new InvalidLedgerRequestException("transfers[" + i + "].id", "the id " + transferId + " is given twice in the batch");
            }
            // rising timestamps: a round decides in timestamp order, so in the batch's order
            fresh.add(new Transfer(transferId, r.from(), r.to(), r.amount(), base.plusNanos(i), TransferStatus.PENDING, null, null, null));
        }
        return guarded(() -> engine.resolver().submitAll(fresh, Duration.ofSeconds(waitSeconds)));
    }

    /**
     * Answers a transfer another node relayed to this one (see {@code switchboard.ledger.relay-url}),
     * for the relay's HTTP endpoint: {@code authorization} is the request's header, {@code body} its
     * content. The answer carries its own status: the transfer decided or stored pending, or a problem.
     */
    public RelayAnswer relayed(String authorization, String body) {
        return engine.resolver().relay().receive(authorization, body, (fresh, wait) -> {
            checkTransfer(fresh.id(), fresh.from(), fresh.to(), fresh.amount());
            return guarded(() -> engine.resolver().submit(fresh, wait, false));
        });
    }

    private static void checkTransfer(String transferId, String from, String to, long amount) {
        checkNewId("id", transferId);
        checkId("from", from);
        checkId("to", to);
        if (from.equals(to)) {
            throw new InvalidLedgerRequestException("to", "'from' and 'to' must differ");
        }
        if (amount <= 0 || amount > Transfer.MAX_AMOUNT) {
            throw new InvalidLedgerRequestException("amount", "the amount is a whole number of minor units from 1 to " + Transfer.MAX_AMOUNT);
        }
    }

    private static Transfer outcome(Transfer transfer) {
        if (!transfer.isDecided()) {
            throw new TransferPendingException(transfer);
        }
        if (transfer.status() == TransferStatus.REJECTED) {
            throw new TransferRejectedException(transfer);
        }
        return transfer;
    }

    public Optional<Transfer> find(String id) {
        return id != null && ID.matcher(id).matches() ? guarded(() -> store().find(id)) : Optional.empty();
    }

    /** An account's decided transfers, newest first, before place {@code beforeSeq}. */
    public List<Transfer> statement(String account, long beforeSeq, int limit) {
        checkId("account", account);
        return guarded(() -> store().statement(account, beforeSeq, limit));
    }

    /** Recomputes every balance from the log and checks the ledger's promises; a full pass over the history. */
    public InvariantReport check(Duration pendingFor) {
        return guarded(() -> InvariantCheck.run(engine.store(), engine.resolver(), pendingFor));
    }

    private static void checkNewId(String field, String id) {
        if (id == null || !NEW_ID.matcher(id).matches()) {
            throw new InvalidLedgerRequestException(field, "'" + field + "' is 1 to 64 letters, digits, '_' or '-'");
        }
    }

    public static void checkId(String field, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new InvalidLedgerRequestException(field, "'" + field + "' is 1 to 64 letters, digits, '_', ':' or '-'");
        }
    }

    private CouchLedgerStore store() {
        return engine.store();
    }

    private static <T> T guarded(Supplier<T> couchCall) {
        try {
            return couchCall.get();
        } catch (RuntimeException e) {
            throw LedgerEngine.unavailable(e);
        }
    }
}
