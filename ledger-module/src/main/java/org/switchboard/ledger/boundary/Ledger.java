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
import org.switchboard.ledger.entity.TwoPhase;

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

    /** Decides what is pending (the transfers of callers that died or gave up waiting), and expires the reservations past their timeout. */
    public int sweep() {
        try {
            return guarded(() -> engine.resolver().resolveAll()) + expireDue();
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
            return new Created(new Account(id, 0, 0, allowNegative), true);
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
        var head = store().head();
        var balances = head.balances();
        var reserved = head.reserved();
        var out = new ArrayList<Account>();
        store().accounts().forEach((id, allowNegative) ->
                out.add(new Account(id, balances.getOrDefault(id, 0L), reserved.getOrDefault(id, 0L), allowNegative)));
        return out;
    }

    public Optional<Account> account(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return Optional.empty();
        }
        return guarded(() -> store().allowNegative(id).map(rule -> {
            var head = store().head();
            return new Account(id, head.balance(id), head.reserved(id), rule);
        }));
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

    /**
     * Makes a two-phase transfer, a reservation, and waits until it is decided: answers it reserved
     * when the sender's available balance covers the amount, which is then held against it until a
     * post, a void or the timeout ({@code timeoutSeconds} after the decision) settles it; throws
     * {@link TransferRejectedException} when rejected. Sent again, as {@link #transfer}.
     */
    public Transfer reserve(String id, String from, String to, long amount, long timeoutSeconds) {
        var transferId = id == null ? UUID.randomUUID().toString() : id;
        checkTransfer(transferId, from, to, amount);
        if (timeoutSeconds < 1 || timeoutSeconds > TwoPhase.MAX_TIMEOUT_SECONDS) {
            throw new InvalidLedgerRequestException("timeoutSeconds", "'timeoutSeconds' is 1 to " + TwoPhase.MAX_TIMEOUT_SECONDS);
        }
        var fresh = new Transfer(transferId, from, to, amount, Instant.now(), TransferStatus.PENDING, null, null, null,
                TwoPhase.reserve(timeoutSeconds));
        return outcome(guarded(() -> engine.resolver().submit(fresh, Duration.ofSeconds(waitSeconds))));
    }

    /**
     * A reservation and its settlement, if one is decided: what {@code GET} shows of a two-phase transfer.
     *
     * @param settlement null while the reservation is open (or was rejected)
     */
    public record Reservation(Transfer reservation, Transfer settlement) {

        /** The reservation's status now: its settlement's once settled (posted, voided, expired), else its own. */
        public TransferStatus status() {
            return settlement != null ? settlement.status() : reservation.status();
        }
    }

    /**
     * Posts a reservation: moves {@code amount} (all of it when null) from the sender to the receiver
     * and releases the rest. Answers the reservation as posted. Throws {@link NoSuchTransferException}
     * for an unknown id, {@link ReservationSettledException} when the reservation is not open (settled
     * otherwise, rejected, not two-phase, or timed out first), {@link TransferPendingException} when
     * not decided within the wait. Sent again with the same amount, it answers the same.
     */
    public Reservation post(String id, Long amount) {
        var reservation = openable(id);
        if (amount != null && (amount < 1 || amount > reservation.amount())) {
            throw new InvalidLedgerRequestException("amount", "'amount' is 1 to the reserved " + reservation.amount());
        }
        return settle(reservation, TwoPhase.Step.POST, amount == null ? reservation.amount() : amount, TransferStatus.POSTED);
    }

    /** Voids a reservation: releases all it holds. Answers it voided; throws as {@link #post} does. */
    public Reservation voidReservation(String id) {
        var reservation = openable(id);
        return settle(reservation, TwoPhase.Step.VOID, reservation.amount(), TransferStatus.VOIDED);
    }

    /** The reservation {@code id}, decided as reserved: what a settlement may settle. */
    private Transfer openable(String id) {
        var found = find(id).orElseThrow(() -> new NoSuchTransferException(id));
        if (found.twoPhase() == null || !found.twoPhase().reserves()) {
            throw new ReservationSettledException(new Reservation(found, null), "transfer " + id + " is not a two-phase transfer");
        }
        if (!found.isDecided()) {
            throw new TransferPendingException(found);
        }
        if (found.status() != TransferStatus.RESERVED) {
            throw new ReservationSettledException(new Reservation(found, null), "reservation " + id + " was " + found.status().wire());
        }
        return found;
    }

    /** The settlement of a decided reservation by {@code step}, moving {@code amount} if it is a post: a transfer of its own. */
    private static Transfer settlement(Transfer reservation, TwoPhase.Step step, long amount) {
        return new Transfer(TwoPhase.settlementOf(reservation.id(), step), reservation.from(), reservation.to(), amount, Instant.now(),
                TransferStatus.PENDING, null, null, null, TwoPhase.settle(step, reservation));
    }

    private Reservation settle(Transfer reservation, TwoPhase.Step step, long amount, TransferStatus wanted) {
        var fresh = settlement(reservation, step, amount);
        Transfer settlement;
        try {
            settlement = guarded(() -> engine.resolver().submit(fresh, Duration.ofSeconds(waitSeconds)));
        } catch (TransferConflictException e) {
            // posted before with another amount: that post stands
            throw new ReservationSettledException(reservation(reservation), "reservation " + reservation.id() + " was posted with another amount");
        }
        if (!settlement.isDecided()) {
            throw new TransferPendingException(reservation);
        }
        if (settlement.status() == TransferStatus.REJECTED) { // another settlement came first
            var settled = settledOther(reservation);
            throw new ReservationSettledException(settled, "reservation " + reservation.id() + " was " + settled.status().wire());
        }
        var answer = new Reservation(reservation, settlement);
        if (settlement.status() != wanted) {
            throw new ReservationSettledException(answer, "reservation " + reservation.id() + " was " + settlement.status().wire()
                    + (settlement.reason() != null ? ": " + settlement.reason() : ""));
        }
        return answer;
    }

    /** A transfer with its settlement when it is a reservation that has one. */
    public Optional<Reservation> findReservation(String id) {
        return find(id).filter(t -> t.twoPhase() != null && t.twoPhase().reserves()).map(this::reservation);
    }

    /**
     * The reservation as another settlement settled it, when this one was rejected for it: that one
     * is committed, but its document may not be written yet.
     */
    private Reservation settledOther(Transfer reservation) {
        return guarded(() -> engine.resolver().readWhenWritten(() -> reservation(reservation), settled -> settled.settlement() != null));
    }

    /** The reservation with the settlement that settled it, if one did (the others of its settlements were rejected). */
    private Reservation reservation(Transfer reservation) {
        if (reservation.status() != TransferStatus.RESERVED) {
            return new Reservation(reservation, null);
        }
        var settlement = guarded(() -> store().findAll(TwoPhase.settlementsOf(reservation.id()))).stream()
                .filter(s -> s.isDecided() && s.status() != TransferStatus.REJECTED).findFirst().orElse(null);
        return new Reservation(reservation, settlement);
    }

    /** Reservations not yet settled, soonest to time out first (at most {@code limit}). */
    public List<Transfer> openReservations(int limit) {
        return guarded(() -> store().openReservations(null, limit));
    }

    /**
     * Settles the reservations past their timeout as expired: each once, whichever node comes first
     * (the expiry has one id per reservation), and never one a post or a void settled first (the head
     * knows it is no longer open, and rejects the expiry). Answers how many.
     */
    public int expireDue() {
        var due = guarded(() -> store().openReservations(Instant.now(), MAX_BATCH));
        if (due.isEmpty()) {
            return 0;
        }
        var settlements = due.stream().map(r -> settlement(r, TwoPhase.Step.EXPIRE, r.amount())).toList();
        var outcomes = guarded(() -> engine.resolver().submitAll(settlements, Duration.ofSeconds(waitSeconds)));
        return (int) outcomes.stream().filter(o -> o.transfer() != null && o.transfer().status() == TransferStatus.EXPIRED).count();
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
        var fresh = batch(requests);
        return guarded(() -> engine.resolver().submitAll(fresh, Duration.ofSeconds(waitSeconds)));
    }

    /**
     * Makes the transfers of an atomic batch: all of them, or none. Each is decided on the balances
     * the ones before it leave, all in one round; if one is rejected, every one is, that one with
     * its reason and the others as {@link org.switchboard.ledger.entity.Link#LINKED_REJECTED}, and
     * nothing moves. Answers each one's outcome in the order given; each pending when the batch is
     * not decided within the wait (it is stored whole then, and decided as one later). Refuses the
     * whole batch with nothing stored when a transfer is malformed, an id is given twice, an account
     * is unknown, or an id was used before for another transfer ({@link TransferConflictException});
     * each names the transfer by its index. Resent whole, a batch answers the same outcomes.
     */
    public List<TransferOutcome> transferAtomically(List<TransferRequest> requests) {
        var fresh = batch(requests);
        return guarded(() -> engine.resolver().submitBatch(fresh, Duration.ofSeconds(waitSeconds)));
    }

    /** The transfers of a batch, checked, with rising timestamps (a round decides in timestamp order, so in the batch's order). */
    private static List<Transfer> batch(List<TransferRequest> requests) {
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
            fresh.add(new Transfer(transferId, r.from(), r.to(), r.amount(), base.plusNanos(i), TransferStatus.PENDING, null, null, null));
        }
        return fresh;
    }

    /**
     * Answers a transfer another node relayed to this one (see {@code switchboard.ledger.relay-url}),
     * for the relay's HTTP endpoint: {@code authorization} is the request's header, {@code body} its
     * content. The answer carries its own status: the transfer decided or stored pending, or a problem.
     */
    public RelayAnswer relayed(String authorization, String body) {
        return engine.resolver().relay().receive(authorization, body, (fresh, wait) -> {
            if (fresh.link() != null) {
                throw new InvalidLedgerRequestException("group", "an atomic batch is decided where it was sent, never relayed");
            }
            var phase = fresh.twoPhase();
            var settlement = phase != null && !phase.reserves();
            checkTransfer(settlement ? phase.pendingId() : fresh.id(), fresh.from(), fresh.to(), fresh.amount());
            if (settlement && !fresh.id().equals(TwoPhase.settlementOf(phase.pendingId(), phase.step()))) {
                throw new InvalidLedgerRequestException("id", "a settlement's id is its reservation's and its step's");
            }
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
