package org.switchboard.ledger.boundary;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.lightcouch.CouchDbClient;
import org.switchboard.ledger.control.LedgerStore;
import org.switchboard.ledger.control.Resolver;
import org.switchboard.ledger.entity.Account;
import org.switchboard.ledger.entity.InvariantReport;
import org.switchboard.ledger.entity.Transfer;
import org.switchboard.ledger.entity.TransferStatus;

/**
 * The ledger, for the REST API and other modules: accounts, transfers that wait until they are
 * decided, statements, and the invariant check. Every node sweeps: a transfer whose caller died
 * is decided within a second or so by whichever node gets there first.
 */
@ApplicationScoped
public class Ledger {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_:-]{1,64}");
    private static final System.Logger LOG = System.getLogger(Ledger.class.getName());

    @Inject
    Provider<CouchDbClient> couchDb;

    @Inject
    @ConfigProperty(name = "switchboard.ledger.batch", defaultValue = "200")
    int batchSize;

    @Inject
    @ConfigProperty(name = "switchboard.ledger.sweep-millis", defaultValue = "1000")
    long sweepMillis;

    @Inject
    @ConfigProperty(name = "switchboard.ledger.wait-seconds", defaultValue = "10")
    long waitSeconds;

    private LedgerStore store;
    private Resolver resolver;
    private ScheduledExecutorService sweeper;

    /** For tests and in-process use without CDI. */
    public static Ledger of(CouchDbClient db, int batchSize, Duration wait) {
        var ledger = new Ledger();
        ledger.batchSize = batchSize;
        ledger.waitSeconds = wait.toSeconds();
        ledger.store = new LedgerStore(db);
        ledger.store.install();
        ledger.resolver = new Resolver(ledger.store, batchSize);
        return ledger;
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

    /** Decides what is pending: the transfers of callers that died or gave up waiting. */
    public int sweep() {
        try {
            return resolver().resolveAll();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "The ledger sweep failed; trying again", e);
            return 0;
        }
    }

    /** Creates an account; answers it and whether it is new. The same id with other rules is a conflict. */
    public record Created(Account account, boolean created) {
    }

    public Created createAccount(String id, boolean allowNegative) {
        checkId("id", id);
        if (store().createAccount(id, allowNegative)) {
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
        var balances = store().head().balances();
        var out = new ArrayList<Account>();
        store().accounts().forEach((id, allowNegative) -> out.add(new Account(id, balances.getOrDefault(id, 0L), allowNegative)));
        return out;
    }

    public Optional<Account> account(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return Optional.empty();
        }
        return store().allowNegative(id).map(rule -> new Account(id, store().head().balances().getOrDefault(id, 0L), rule));
    }

    /**
     * Makes a transfer and waits until it is decided: answers it when successful; throws
     * {@link TransferRejectedException} when rejected, {@link TransferPendingException} when not yet
     * decided after the wait. An id sent again with the same fields answers the first outcome; with
     * other fields, {@link TransferConflictException} names the field that differs.
     */
    public Transfer transfer(String id, String from, String to, long amount) {
        var transferId = id == null ? UUID.randomUUID().toString() : id;
        checkId("id", transferId);
        checkId("from", from);
        checkId("to", to);
        if (from.equals(to)) {
            throw new InvalidLedgerRequestException("to", "'from' and 'to' must differ");
        }
        if (amount <= 0) {
            throw new InvalidLedgerRequestException("amount", "the amount is a positive whole number of minor units");
        }
        var missing = resolver().missingAccounts(from, to);
        if (!missing.isEmpty() && store().find(transferId).isEmpty()) {
            throw new InvalidLedgerRequestException(missing.get(0), "no account " + (missing.get(0).equals("from") ? from : to));
        }
        // stored, or the transfer stored before under this id (a retry): one write either way
        Transfer stored;
        try {
            stored = resolver().store(new Transfer(transferId, from, to, amount, Instant.now(), TransferStatus.PENDING, null, null, null),
                    Duration.ofSeconds(waitSeconds)).transfer();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        sameFields(stored, from, to, amount);
        return await(stored);
    }

    private static void sameFields(Transfer stored, String from, String to, long amount) {
        if (!stored.from().equals(from)) {
            throw new TransferConflictException("from", "transfer " + stored.id() + " exists with another 'from'");
        }
        if (!stored.to().equals(to)) {
            throw new TransferConflictException("to", "transfer " + stored.id() + " exists with another 'to'");
        }
        if (stored.amount() != amount) {
            throw new TransferConflictException("amount", "transfer " + stored.id() + " exists with another 'amount'");
        }
    }

    private Transfer await(Transfer stored) {
        var transfer = resolver().await(stored, Duration.ofSeconds(waitSeconds));
        if (!transfer.isDecided()) {
            throw new TransferPendingException(transfer);
        }
        if (transfer.status() == TransferStatus.REJECTED) {
            throw new TransferRejectedException(transfer);
        }
        return transfer;
    }

    public Optional<Transfer> find(String id) {
        return id != null && ID.matcher(id).matches() ? store().find(id) : Optional.empty();
    }

    /** An account's decided transfers, newest first, before place {@code beforeSeq}. */
    public List<Transfer> statement(String account, long beforeSeq, int limit) {
        checkId("account", account);
        return store().statement(account, beforeSeq, limit);
    }

    /** Recomputes every balance from the log and checks the ledger's promises; a full pass over the history. */
    public InvariantReport check(Duration pendingFor) {
        resolver().resolveAll(); // decisions committed at the head are written onto their transfers first
        var head = store().head();
        var log = store().scanLog(2000);
        var fromLog = log.balances();
        var rules = store().accounts();
        var mismatches = new ArrayList<String>();
        var all = new java.util.TreeSet<>(head.balances().keySet());
        all.addAll(fromLog.keySet());
        for (var account : all) {
            long a = head.balances().getOrDefault(account, 0L);
            long b = fromLog.getOrDefault(account, 0L);
            if (a != b) {
                mismatches.add(account + ": " + a + " at the head, " + b + " from the log");
            }
        }
        var notes = new ArrayList<String>();
        // the seed's view, balance-available: a reduce over the whole log, recomputed per query on PouchDB Server
        try {
            var fromView = store().balancesFromLog();
            for (var account : all) {
                long b = fromLog.getOrDefault(account, 0L);
                long v = fromView.getOrDefault(account, 0L);
                if (b != v) {
                    mismatches.add(account + ": " + v + " in the balance-available view, " + b + " from the log");
                }
            }
        } catch (RuntimeException e) {
            notes.add("the balance-available view could not be read (" + e.getClass().getSimpleName()
                    + "); the head was compared with the log only");
        }
        var negatives = new ArrayList<String>();
        head.balances().forEach((account, balance) -> {
            if (balance < 0 && !Boolean.TRUE.equals(rules.get(account))) {
                negatives.add(account + ": " + balance);
            }
        });
        var places = log.places();
        var placeProblems = new ArrayList<String>();
        for (int i = 0; i < places.size(); i++) {
            if (places.get(i) != i + 1) {
                placeProblems.add("place " + (i + 1) + " holds " + places.get(i) + " (a gap or a place decided twice)");
                break;
            }
        }
        if (places.size() != head.seq()) {
            placeProblems.add(places.size() + " decided transfers in the log, " + head.seq() + " at the head");
        }
        var stale = store().pendingBefore(Instant.now().minus(pendingFor), 100);
        long sumHead = head.balances().values().stream().mapToLong(Long::longValue).sum();
        long sumLog = fromLog.values().stream().mapToLong(Long::longValue).sum();
        var ok = mismatches.isEmpty() && negatives.isEmpty() && placeProblems.isEmpty() && stale.isEmpty() && sumHead == 0 && sumLog == 0;
        return new InvariantReport(ok, head.seq(), sumHead, sumLog, new java.util.TreeMap<>(head.balances()), fromLog, mismatches,
                negatives, stale, placeProblems, notes);
    }

    public static void checkId(String field, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new InvalidLedgerRequestException(field, "'" + field + "' is 1 to 64 letters, digits, '_', ':' or '-'");
        }
    }

    private synchronized LedgerStore store() {
        if (store == null) {
            var s = new LedgerStore(couchDb.get());
            s.install();
            resolver = new Resolver(s, batchSize);
            store = s;
        }
        return store;
    }

    private Resolver resolver() {
        store();
        return resolver;
    }
}
