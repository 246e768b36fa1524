package org.switchboard.ledger.control;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.lightcouch.CouchDbException;
import org.switchboard.ledger.boundary.InvalidLedgerRequestException;
import org.switchboard.ledger.boundary.LedgerUnavailableException;
import org.switchboard.ledger.boundary.TransferConflictException;
import org.switchboard.ledger.boundary.TransferOutcome;
import org.switchboard.ledger.control.CouchLedgerStore.Head;
import org.switchboard.ledger.control.CouchLedgerStore.StoredTransfer;
import org.switchboard.ledger.entity.Decision;
import org.switchboard.ledger.entity.Link;
import org.switchboard.ledger.entity.Transfer;
import org.switchboard.ledger.entity.TransferStatus;

/**
 * Decides pending transfers. One round: finish writing the last committed batch onto its transfers,
 * read the oldest pending transfers as they are now, decide them in order (timestamp, then id)
 * against the balances of the head, and commit the decisions and the new balances to the head in one
 * write guarded by its {@code _rev}. Losing that race means another resolver decided first: the
 * round starts again from the new head. So whatever number of resolvers run, on however many nodes,
 * decisions are made one batch at a time, each on the exact balances the previous batch left.
 */
public class Resolver {

    public static final String INSUFFICIENT_FUNDS = "insufficient funds";
    public static final String UNKNOWN_ACCOUNT = "unknown account";
    public static final String OVERFLOW = "a balance would pass the largest exact amount (2^53 - 1)";

    private final CouchLedgerStore store;
    private final int batchSize;
    /** One round at a time per node: the others would only lose the race to it. */
    private final Lane rounds = new Lane();
    /** One insert at a time per node, alongside the round under way: the next batch is stored while this one is decided. */
    private final Lane inserts = new Lane();

    /**
     * Work that one caller at a time does for every caller waiting: whoever enters does it, the others
     * wait for their answer or for the lane to be free again, whichever comes first. Waking when the
     * lane is freed matters: a caller whose transfer came too late for the round under way starts
     * the next one at once, instead of after a polling interval.
     */
    private static final class Lane {
        private final ReentrantLock lock = new ReentrantLock();
        private volatile CompletableFuture<Void> freed = new CompletableFuture<>();

        void enter() {
            lock.lock();
        }

        void leave() {
            var waking = freed;
            freed = new CompletableFuture<>();
            lock.unlock();
            waking.complete(null);
        }
    }
    /** Called between deciding and committing (tests: a race made on purpose). */
    volatile Runnable beforeCommit = () -> { };
    /** Called between committing and writing the decisions onto the transfers (tests: a crash there). */
    volatile Runnable afterCommit = () -> { };

    public Resolver(CouchLedgerStore store, int batchSize) {
        this(store, batchSize, LedgerMetrics.none());
    }

    public Resolver(CouchLedgerStore store, int batchSize, LedgerMetrics metrics) {
        this.store = store;
        this.batchSize = batchSize;
        this.metrics = metrics;
        metrics.waiting(answers::size);
    }

    private final LedgerMetrics metrics;

    /** Transfers this node's callers wait for, by id: decided together in the next round (group commit). */
    private final ConcurrentLinkedQueue<String> waiting = new ConcurrentLinkedQueue<>();
    private final ConcurrentHashMap<String, CompletableFuture<Transfer>> answers =
            new ConcurrentHashMap<>();
    /** The rules of accounts seen (they never change, and accounts are never deleted). */
    private final ConcurrentHashMap<String, Boolean> rules = new ConcurrentHashMap<>();
    /** The head revision whose batch this node knows to be written onto its transfers. */
    private volatile String writtenRev;

    /**
     * The head as this node's last commit left it, decided on without reading it again; {@code run}
     * numbers an unbroken chain of this node's own commits, each written on the one before. A write
     * on a head that moved meanwhile fails ({@code _rev}), and the chain ends: the head is read again.
     */
    private record Known(Head head, long run) {
    }

    private volatile Known known;
    private long runs;

    /**
     * A transfer this node is storing: its revision once stored, and the chain of commits under way
     * when its insert was sent. Any other node can decide it only after that, in a batch committed
     * after this node's last one, so a commit of this node on the chain's head (no such batch between)
     * may decide it as stored, without reading it back. A round that decides it removes its entry, so
     * an entry filled in afterwards is never found.
     */
    private record Unread(Transfer transfer, String rev, long run) {
    }

    private final ConcurrentHashMap<String, Unread> unread = new ConcurrentHashMap<>();

    private record Submission(Transfer transfer, CompletableFuture<CouchLedgerStore.Inserted> stored) {
    }

    /** New transfers this node's callers send, stored together in the next round (one request for all). */
    private final ConcurrentLinkedQueue<Submission> toStore = new ConcurrentLinkedQueue<>();

    /**
     * Stores a new transfer and waits until it is decided, in one call: answers it decided, or as it
     * still is when {@code wait} is over. A transfer sent again under its id answers the first one's
     * outcome; with other fields, {@link TransferConflictException} names the field that differs. An
     * unknown account is refused ({@link InvalidLedgerRequestException}) unless the id was stored
     * before (the retry of a transfer decided as rejected).
     */
    public Transfer submit(Transfer fresh, Duration wait) {
        return submit(fresh, wait, true);
    }

    /**
     * {@link #submit(Transfer, Duration)}, for a transfer another node relayed here when not
     * {@code mayHandOver}: it is decided on this node whoever decides, so that it never goes back.
     */
    public Transfer submit(Transfer fresh, Duration wait, boolean mayHandOver) {
        if (mayHandOver) {
            return submitted(fresh, wait, true);
        }
        relayedIn.put(fresh.id(), true);
        relayArrivals.incrementAndGet();
        try {
            return submitted(fresh, wait, false);
        } finally {
            relayedIn.remove(fresh.id());
        }
    }

    /**
     * Transfers decided each on its own, in the order given: their timestamps must rise in that
     * order, since a round decides in timestamp order. When this node decides them (it knows every
     * account, and no other node decides), they go into its rounds together, unstored, so that one
     * round decides as many of them as it can take; otherwise each is submitted after the one before.
     * Answers each as {@link #submit} would, in the same order: decided, or stored pending when the
     * wait is over; a transfer whose id was stored before with other fields, or that names an
     * unknown account, is answered by the exception {@link #submit} would throw.
     */
    public List<TransferOutcome> submitAll(List<Transfer> fresh, Duration wait) {
        var start = System.nanoTime();
        var deadline = start + wait.toNanos();
        var together = learnAccounts(fresh) && !deferring();
        if (!together) {
            return fresh.stream().map(t -> outcome(() -> submitted(t, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), true))).toList();
        }
        batchedTogether.addAndGet(fresh.size());
        var futures = new ArrayList<CompletableFuture<Transfer>>();
        for (var t : fresh) {
            unstored.putIfAbsent(t.id(), t);
            futures.add(answers.computeIfAbsent(t.id(), k -> new CompletableFuture<>()));
        }
        try {
            var all = CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
            while (!all.isDone() && System.nanoTime() < deadline) {
                for (int i = 0; i < fresh.size(); i++) {
                    if (!futures.get(i).isDone()) {
                        waiting.add(fresh.get(i).id()); // in order; a round that failed takes them again
                    }
                }
                drive(all, deadline, rounds, this::decideWaiting, () -> false);
            }
            var late = new ArrayList<Transfer>();
            for (int i = 0; i < fresh.size(); i++) {
                if (!futures.get(i).isDone()) {
                    unstored.remove(fresh.get(i).id(), fresh.get(i));
                    late.add(fresh.get(i));
                }
            }
            // a round under way may still decide them: it then writes onto these pending copies
            var inserted = late.isEmpty() ? List.<CouchLedgerStore.Inserted>of() : store.insertAll(late);
            var outcomes = new ArrayList<TransferOutcome>();
            for (int i = 0, l = 0; i < fresh.size(); i++) {
                var t = fresh.get(i);
                var future = futures.get(i);
                if (future.isDone()) {
                    outcomes.add(outcome(() -> {
                        var answer = joined(future);
                        sameFields(answer, t);
                        return answer;
                    }));
                } else {
                    var stored = inserted.get(l++);
                    outcomes.add(stored == null ? new TransferOutcome(null, new CouchDbException("transfer " + t.id() + " was refused by the database"))
                            : outcome(() -> {
                                sameFields(stored.transfer(), t);
                                return stored.transfer();
                            }));
                }
            }
            outcomes.stream().map(TransferOutcome::transfer).filter(t -> t != null && t.isDecided()).forEach(t -> metrics.answered(start));
            return outcomes;
        } finally {
            for (int i = 0; i < fresh.size(); i++) {
                unstored.remove(fresh.get(i).id(), fresh.get(i));
                answers.remove(fresh.get(i).id(), futures.get(i));
            }
        }
    }

    /**
     * Decides an atomic batch: its transfers, in the order given (their timestamps rising in that
     * order), are decided in one round, all successful or all rejected (see {@link Link}). This node
     * decides it, whichever node decides the others: a batch goes through no inbox and no relay, so
     * it never has to meet again in one round. Answers each transfer as {@link #submit} would, in the
     * same order: decided; or, when the wait is over first, the batch is stored pending as one
     * transfer, its first, and each is answered pending. Sent again, it answers the same. Throws
     * {@link TransferConflictException} when the log holds one of its ids as another transfer (or
     * not in this batch), and {@link InvalidLedgerRequestException} when one names an unknown
     * account, each naming the transfer by its index: nothing is stored then.
     */
    public List<TransferOutcome> submitBatch(List<Transfer> fresh, Duration wait) {
        var start = System.nanoTime();
        var deadline = start + wait.toNanos();
        if (!learnAccounts(fresh)) {
            for (int i = 0; i < fresh.size(); i++) {
                var t = fresh.get(i);
                if (!knowsAccountsOf(t)) {
                    var field = rules.containsKey(t.from()) ? "to" : "from";
                    throw new InvalidLedgerRequestException("transfers[" + i + "]." + field, "no account " + (field.equals("from") ? t.from() : t.to()));
                }
            }
        }
        var first = Link.batch(fresh);
        var members = Link.members(first);
        var ids = members.stream().map(Transfer::id).toList();
        var inLog = new HashMap<String, Transfer>();
        store.findAll(ids).forEach(t -> inLog.put(t.id(), t));
        for (int i = 0; i < members.size(); i++) {
            var t = inLog.get(ids.get(i));
            if (t != null) {
                try {
                    sameFields(t, members.get(i));
                } catch (TransferConflictException e) {
                    throw new TransferConflictException("transfers[" + i + "]." + e.field(), e.getMessage());
                }
            }
        }
        if (inLog.size() == members.size() && inLog.values().stream().allMatch(Transfer::isDecided)) {
            return ids.stream().map(id -> new TransferOutcome(inLog.get(id), null)).toList(); // sent again
        }
        if (!inLog.containsKey(first.id())) {
            unstored.putIfAbsent(first.id(), first);
        }
        var futures = ids.stream().map(id -> answers.computeIfAbsent(id, k -> new CompletableFuture<>())).toList();
        var decided = futures.getFirst();
        try {
            while (!decided.isDone() && System.nanoTime() < deadline) {
                waiting.add(first.id()); // a round that failed or gave way takes it again
                drive(decided, deadline, rounds, this::decideWaiting, () -> false);
            }
            if (!decided.isDone()) {
                unstored.remove(first.id(), first);
                store.insertAll(List.of(first)); // a round under way may still decide it: it then writes onto this pending copy
            }
            var answered = new HashMap<String, Transfer>();
            var settled = decided.isDone() && !decided.isCompletedExceptionally() && decided.join().isDecided();
            Supplier<Map<String, Transfer>> read = () -> {
                var unanswered = new ArrayList<String>();
                for (int i = 0; i < ids.size(); i++) {
                    if (futures.get(i).isDone() && !futures.get(i).isCompletedExceptionally()) {
                        answered.put(ids.get(i), futures.get(i).join());
                    } else if (!answered.containsKey(ids.get(i))) {
                        unanswered.add(ids.get(i));
                    }
                }
                if (!unanswered.isEmpty()) {
                    store.findAll(unanswered).forEach(t -> answered.put(t.id(), t));
                }
                return answered;
            };
            // decided, its other transfers are in the same committed batch, written by the roll-forward; not
            // decided, they are pending in it
            if (settled) {
                readWhenWritten(read, all -> all.size() == ids.size());
            } else {
                read.get();
            }
            var outcomes = new ArrayList<TransferOutcome>(members.size());
            for (var m : members) {
                var answer = answered.getOrDefault(m.id(), m); // not in the log: pending in its first
                outcomes.add(outcome(() -> {
                    sameFields(answer, m);
                    return answer;
                }));
                if (answer.isDecided()) {
                    metrics.answered(start);
                }
            }
            return outcomes;
        } finally {
            unstored.remove(first.id(), first);
            for (int i = 0; i < ids.size(); i++) {
                answers.remove(ids.get(i), futures.get(i));
            }
        }
    }

    /**
     * Reads with {@code read} until {@code written} holds of its answer, for at most a second, and
     * answers the last read: a decision committed and answered (by a node's feed, or its round) may
     * not be written onto its transfers yet. Half-way, a round on the head as it is rolls the head's
     * batch forward, should the node that decided it have died before writing it.
     */
    public <T> T readWhenWritten(Supplier<T> read, java.util.function.Predicate<T> written) {
        for (int attempt = 0; ; attempt++) {
            var answer = read.get();
            if (written.test(answer) || attempt >= WRITTEN_READS) {
                return answer;
            }
            if (attempt == WRITTEN_READS / 2 && rounds.lock.tryLock()) {
                try {
                    round(List::of, null, null, false);
                } catch (RuntimeException e) {
                    known = null; // a write may or may not have been taken: the head is read again; the reads go on
                } finally {
                    rounds.leave();
                }
            } else {
                LockSupport.parkNanos(WRITTEN_PAUSE.toNanos());
            }
        }
    }

    private static final int WRITTEN_READS = 50;
    private static final Duration WRITTEN_PAUSE = Duration.ofMillis(20);

    private static TransferOutcome outcome(Supplier<Transfer> answer) {
        try {
            return new TransferOutcome(answer.get(), null);
        } catch (TransferConflictException | InvalidLedgerRequestException e) {
            return new TransferOutcome(null, e);
        }
    }

    private static Transfer joined(CompletableFuture<Transfer> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Transfers other nodes relayed here that wait for their decision, by id. */
    private final ConcurrentHashMap<String, Boolean> relayedIn = new ConcurrentHashMap<>();
    /** How many relayed transfers arrived, ever; and how many of them had when the last round started. */
    private final AtomicLong relayArrivals = new AtomicLong();
    private long relayArrivalsTaken;
    /** How many relayed transfers the last round took: the next one waits up to {@link #GATHER} for as many. */
    private int relayedLastRound;
    /** The longest a round waits for relayed transfers: a few of a relay's round trips on a busy machine. */
    static final Duration GATHER = Duration.ofMillis(10);
    private static final long GATHER_STEP_NANOS = 100_000;

    private Transfer submitted(Transfer fresh, Duration wait, boolean mayHandOver) {
        var start = System.nanoTime();
        var deadline = start + wait.toNanos();
        Transfer answer;
        var relayed = mayHandOver && deferring() ? relayed(fresh, deadline) : Optional.<Transfer>empty();
        if (relayed.isPresent()) {
            answer = relayed.get();
        } else if (knowsAccountsOf(fresh)) {
            answer = decideUnstored(fresh, deadline, mayHandOver);
            sameFields(answer, fresh);
        } else {
            var stored = store(fresh, wait).transfer(); // or the transfer stored before under this id: one write either way
            sameFields(stored, fresh);
            answer = await(stored, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        if (answer.isDecided()) {
            metrics.answered(start);
        }
        return answer;
    }

    /**
     * Transfers this node decides before storing them, by id: a round writes each one once, decided,
     * instead of storing it pending and then writing its decision (each write costs Apache CouchDB a
     * run of the {@code validate_doc_update} guard). The round reads their ids first: one stored
     * meanwhile, or before under the same id, is decided or answered as stored.
     */
    private final ConcurrentHashMap<String, Transfer> unstored = new ConcurrentHashMap<>();

    /**
     * The transfer goes into this node's next round unstored; or, when {@code handOver}, to the node
     * that decides, through this node's inbox, and into this node's own rounds only if that node has
     * not decided it within {@link #DEFER}. Answers it decided; when it is not within the wait, it is
     * stored pending (a transfer answered as pending is in the log), and answered as stored, or as the
     * transfer found under its id.
     */
    private Transfer decideUnstored(Transfer fresh, long deadline, boolean mayHandOver) {
        var id = fresh.id();
        unstored.putIfAbsent(id, fresh); // the same id twice at once: one transfer, whose fields the other is compared with
        var answer = answers.computeIfAbsent(id, k -> new CompletableFuture<>());
        try {
            var handed = !mayHandOver;
            while (!answer.isDone() && System.nanoTime() < deadline) {
                if (!handed && deferring()) {
                    handed = true;
                    var relayed = relayed(fresh, deadline);
                    if (relayed.isPresent()) {
                        return relayed.get();
                    }
                    handOver(fresh, answer, deadline);
                    continue;
                }
                waiting.add(id);
                var mayYield = !handed;
                // a round that loses the head to the node that decides yields to it: hand over then
                drive(answer, deadline, rounds, this::decideWaiting, () -> mayYield && deferring());
            }
            if (answer.isDone()) {
                return answer.join();
            }
            unstored.remove(id, fresh);
            var inserted = store.insertAll(List.of(fresh)).get(0); // a round under way may still decide it: it then writes onto this
            if (inserted == null) {
                throw new CouchDbException("transfer " + id + " was refused by the database");
            }
            return inserted.transfer();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        } finally {
            // answered, stored, or failed (a round that has not taken it yet leaves it; a resend decides it)
            unstored.remove(id, fresh);
            handedOver.remove(id, fresh);
            answers.remove(id, answer);
        }
    }

    /** Hands the transfer to the node that decides, and waits up to {@link #DEFER} for its answer. */
    private void handOver(Transfer fresh, CompletableFuture<Transfer> answer, long deadline) {
        var handed = new Submission(fresh, new CompletableFuture<>());
        toHand.add(handed);
        drive(handed.stored(), deadline, inboxes, this::writeInbox, () -> false);
        handed.stored().join(); // CouchDB failing: the caller hears it
        try {
            answer.get(Math.max(1, Math.min(DEFER.toNanos(), deadline - System.nanoTime())), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // not decided yet: the caller decides it here
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How this node sends transfers to the node that decides, and takes them from the others. */
    private volatile Relay relay = Relay.off();

    /** The relay's address of the node that committed the newest head this node's feed showed, if that head named one. */
    private record RelayOf(String by, String address) {
    }

    private volatile RelayOf deciderRelay;

    /** Sends and takes transfers through {@code relay}; the heads this node commits name its address. */
    void relayThrough(Relay relay) {
        this.relay = relay;
        store.relayAddress = relay.address();
        if (relay.on()) {
            metrics.relaying(relay);
        }
    }

    public Relay relay() {
        return relay;
    }

    /** When a relayed transfer was last answered (nanoTime): meanwhile this node's feed rests, see {@link #followFeed}. */
    private volatile long relayedAt;

    /** The transfer sent to the deciding node's relay and answered there; empty when that node names none or did not answer. */
    private Optional<Transfer> relayed(Transfer fresh, long deadline) {
        var relayed = relay.send(deciderAddress(), fresh, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        if (relayed.isPresent()) {
            relayedAt = System.nanoTime();
            otherSeenAt = relayedAt; // the deciding node is at work
        }
        return relayed;
    }

    /** The address of the deciding node's relay, if its newest head named one. */
    private String deciderAddress() {
        var r = deciderRelay;
        return r != null && r.by().equals(newest.get().by()) ? r.address() : null;
    }

    /** Transfers this node's callers hand to the node that decides: written together in the next inbox write. */
    private final ConcurrentLinkedQueue<Submission> toHand = new ConcurrentLinkedQueue<>();
    /** The transfers in this node's inbox: those handed over whose callers still wait. */
    private final ConcurrentHashMap<String, Transfer> handedOver = new ConcurrentHashMap<>();
    /** One inbox write at a time per node. */
    private final Lane inboxes = new Lane();

    private void writeInbox() {
        var handed = new ArrayList<Submission>();
        for (Submission s; (s = toHand.poll()) != null; ) {
            handed.add(s);
            handedOver.put(s.transfer().id(), s.transfer());
        }
        if (handed.isEmpty()) {
            return;
        }
        try {
            store.handOver(List.copyOf(handedOver.values()));
            handed.forEach(s -> s.stored().complete(null));
        } catch (RuntimeException e) {
            handed.forEach(s -> s.stored().completeExceptionally(e));
        }
    }

    /** Transfers other nodes handed over through their inboxes, by id, with the node each came from: this node decides them unstored. */
    private final ConcurrentHashMap<String, Transfer> handedIn = new ConcurrentHashMap<>();

    private static void sameFields(Transfer stored, Transfer fresh) {
        if (!stored.from().equals(fresh.from())) {
            throw new TransferConflictException("from", "transfer " + stored.id() + " exists with another 'from'");
        }
        if (!stored.to().equals(fresh.to())) {
            throw new TransferConflictException("to", "transfer " + stored.id() + " exists with another 'to'");
        }
        if (stored.amount() != fresh.amount()) {
            throw new TransferConflictException("amount", "transfer " + stored.id() + " exists with another 'amount'");
        }
        var was = stored.twoPhase();
        var now = fresh.twoPhase();
        if (was == null ? now != null : now == null || was.step() != now.step()) {
            throw new TransferConflictException("twoPhase", "transfer " + stored.id() + " exists "
                    + (was == null ? "as a transfer that is not two-phase" : "as a two-phase transfer"));
        }
        if (was != null && was.reserves() && was.timeoutSeconds() != now.timeoutSeconds()) {
            throw new TransferConflictException("timeoutSeconds", "transfer " + stored.id() + " exists with another 'timeoutSeconds'");
        }
        var wasIn = stored.link();
        var nowIn = fresh.link();
        if (wasIn == null ? nowIn != null : nowIn == null || !wasIn.group().equals(nowIn.group()) || wasIn.size() != nowIn.size()) {
            throw new TransferConflictException("atomic", "transfer " + stored.id() + " exists " + (wasIn == null ? "as a transfer made on its own"
                    : "in an atomic batch of " + wasIn.size() + " transfers, the first " + wasIn.group()));
        }
    }

    /**
     * Stores a new pending transfer, together with the others this node's callers send meanwhile (one
     * {@code _bulk_docs} request per round); answers it as stored, or the transfer stored before under
     * its id. Throws if it could not be stored within {@code wait}, and refuses a transfer naming an
     * unknown account ({@link InvalidLedgerRequestException}) unless its id was stored before (the
     * retry of a transfer decided as rejected). The accounts of the whole batch are read in one request.
     */
    public CouchLedgerStore.Inserted store(Transfer fresh, Duration wait) {
        var submission = new Submission(fresh, new CompletableFuture<>());
        toStore.add(submission);
        drive(submission.stored(), System.nanoTime() + wait.toNanos(), inserts, this::storeSubmitted, () -> false);
        if (!submission.stored().isDone()) {
            throw new IllegalStateException("the transfer could not be stored within " + wait.toSeconds() + " s");
        }
        try {
            return submission.stored().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Does {@code work} whenever {@code lane} is free, else waits for it to be freed, until {@code answer} is done or {@code stop} holds. */
    private void drive(CompletableFuture<?> answer, long deadline, Lane lane, Runnable work, BooleanSupplier stop) {
        while (!answer.isDone() && System.nanoTime() < deadline && !stop.getAsBoolean()) {
            var freed = lane.freed; // read before trying: a leave in between completes this one
            if (lane.lock.tryLock()) {
                try {
                    work.run();
                } finally {
                    lane.leave();
                }
            } else {
                try {
                    CompletableFuture.anyOf(answer, freed).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    return; // the caller finds it undone
                } catch (ExecutionException e) {
                    return; // the caller reads the failure from the future
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void storeSubmitted() {
        var submitted = new ArrayList<Submission>();
        for (Submission s; (s = toStore.poll()) != null; ) {
            submitted.add(s);
        }
        if (submitted.isEmpty()) {
            return;
        }
        List<Submission> batch;
        try {
            batch = withKnownAccounts(submitted);
        } catch (RuntimeException e) {
            submitted.forEach(s -> s.stored().completeExceptionally(e));
            return;
        }
        if (batch.isEmpty()) {
            return;
        }
        var chain = known;
        if (chain != null) {
            batch.forEach(s -> unread.put(s.transfer().id(), new Unread(s.transfer(), null, chain.run())));
        }
        try {
            var results = store.insertAll(batch.stream().map(Submission::transfer).toList());
            for (int i = 0; i < batch.size(); i++) {
                var result = results.get(i);
                var id = batch.get(i).transfer().id();
                if (result != null && result.created()) {
                    unread.computeIfPresent(id, (k, entry) -> new Unread(result.transfer(), result.rev(), entry.run()));
                } else {
                    unread.remove(id);
                }
                if (result == null) {
                    batch.get(i).stored().completeExceptionally(new CouchDbException("transfer " + id + " was refused by the database"));
                } else {
                    batch.get(i).stored().complete(result);
                }
            }
        } catch (RuntimeException e) {
            batch.forEach(s -> unread.remove(s.transfer().id()));
            batch.forEach(s -> s.stored().completeExceptionally(e));
        }
    }

    /**
     * Waits until the stored transfer is decided, deciding it (with every other transfer this node's
     * callers wait for) in the next round: one round decides them all, so the cost of a round is
     * shared. Answers the transfer as decided, or as it still is when {@code wait} is over.
     */
    public Transfer await(Transfer stored, Duration wait) {
        if (stored.isDecided()) {
            return stored;
        }
        var answer = answers.computeIfAbsent(stored.id(), id -> new CompletableFuture<>());
        var deadline = System.nanoTime() + wait.toNanos();
        try {
            if (deferring()) {
                // another node decides: its rounds take this transfer from the changes feed, and this
                // node's feed answers it; a decider that does not within the wait is taken over from
                try {
                    answer.get(Math.min(DEFER.toNanos(), wait.toNanos()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    // not decided yet: decide it here
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (!answer.isDone()) {
                waiting.add(stored.id());
                drive(answer, deadline, rounds, this::decideWaiting, () -> false);
            }
            return answer.isDone() ? answer.join() : store.find(stored.id()).orElse(stored);
        } finally {
            answers.remove(stored.id(), answer);
        }
    }

    /** One round over the transfers this node's callers wait for (the lock is held). */
    private void decideWaiting() {
        // callers of other nodes that the last round answered send their next transfers over the
        // relay, a round trip later than this node's own: a round that starts at once leaves them to
        // the next one, and every round then decides fewer transfers. So it waits a little for as
        // many as the last round had
        var gatherUntil = System.nanoTime() + GATHER.toNanos();
        while (relayArrivals.get() - relayArrivalsTaken < relayedLastRound && System.nanoTime() < gatherUntil) {
            LockSupport.parkNanos(GATHER_STEP_NANOS);
        }
        relayArrivalsTaken = relayArrivals.get();
        var ids = new LinkedHashSet<String>();
        for (String id; (id = waiting.poll()) != null; ) {
            ids.add(id);
        }
        relayedLastRound = (int) ids.stream().filter(relayedIn::containsKey).count();
        for (var id : othersPending.keySet()) {
            if (ids.size() >= batchSize) {
                break;
            }
            if (othersPending.remove(id) != null) {
                ids.add(id); // stored by another node that leaves the deciding to this one: read as it is now
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        try {
            round(() -> withUnstored(ids, store.stored(ids)), run -> {
                var asStored = new ArrayList<StoredTransfer>();
                var toRead = new ArrayList<String>();
                for (var id : ids) {
                    var entry = unread.remove(id);
                    if (entry != null && entry.rev() != null && entry.run() == run) {
                        asStored.add(new StoredTransfer(entry.transfer(), entry.rev()));
                    } else {
                        toRead.add(id);
                    }
                }
                if (!toRead.isEmpty()) {
                    asStored.addAll(withUnstored(toRead, store.stored(toRead)));
                }
                return asStored;
            }, true);
            ids.forEach(id -> {
                if (handedIn.remove(id) != null && !unstored.containsKey(id)) {
                    decidedForOthers.incrementAndGet(); // decided, or found decided or stored: the log has them now
                }
            });
        } catch (Yield y) {
            waiting.addAll(ids); // its callers hand theirs over; the rest wait for this node's next round
        } catch (RuntimeException e) {
            waiting.addAll(ids); // the next round tries them again
            throw e;
        }
    }

    /**
     * The transfers read under these ids, and for each id not found, the transfer this node's caller
     * sent, not stored yet ({@code rev} null). The read comes first: the log may hold the id already,
     * stored by a resend through another node, or decided long ago.
     */
    private List<StoredTransfer> withUnstored(Collection<String> ids, List<StoredTransfer> read) {
        if (unstored.isEmpty() && handedIn.isEmpty()) {
            return read;
        }
        var found = new HashSet<String>();
        read.forEach(st -> found.add(st.transfer().id()));
        var out = new ArrayList<>(read);
        for (var id : ids) {
            var fresh = unstored.get(id);
            var other = handedIn.get(id);
            if (found.contains(id)) {
                continue;
            }
            if (fresh != null) {
                out.add(new StoredTransfer(fresh, null));
            } else if (other != null) {
                out.add(new StoredTransfer(other, null));
            }
        }
        return out;
    }

    /**
     * One batch, with the lock held: write out the head's last batch if this node has not seen it
     * written, read the transfers to decide as they are now, decide the pending ones in order on the
     * head's balances, commit at the head, write the decisions onto the transfers. A lost race starts
     * again from the new head. Answers the transfers it decided; waiting callers get theirs, and
     * those decided elsewhere meanwhile.
     */
    private List<Transfer> round(Supplier<List<StoredTransfer>> read, LongFunction<List<StoredTransfer>> onChain, boolean mayYield) {
        try {
            return round(read, onChain, known, mayYield);
        } catch (RuntimeException e) {
            known = null; // a write may or may not have been taken: the head is read again
            throw e;
        }
    }

    private List<Transfer> round(Supplier<List<StoredTransfer>> read, LongFunction<List<StoredTransfer>> onChain, Known chain,
                                 boolean mayYield) {
        long uncertainSince = 0;
        var lost = false;
        while (true) {
            var head = chain != null ? chain.head() : store.head();
            if (chain == null) {
                seen(head.seq(), head.by());
            }
            if (lost && mayYield && deferring()) {
                throw YIELD; // the node that decides took the head: this one's callers hand their transfers to it
            }
            if (chain == null && !head.rev().equals(writtenRev)) {
                if (!appliedSoon(head)) {
                    if (store.copies() == 1) {
                        // one copy: a head that is there is committed, whatever its writer was told
                        store.apply(head.batch());
                        writtenRev = head.rev();
                        continue;
                    }
                    // its resolver died before writing the batch out, or not every copy took the head:
                    // commit it again before writing its decisions onto the transfers or deciding on it,
                    // and only if no rival revision of it is on any copy
                    var confirmed = store.confirm(head);
                    if (confirmed.outcome() == CouchLedgerStore.Outcome.COMMITTED && store.alone(head.epoch())) {
                        store.apply(head.batch());
                        writtenRev = confirmed.rev();
                    } else if (confirmed.outcome() != CouchLedgerStore.Outcome.CONFLICT) {
                        uncertainSince = uncertain(uncertainSince);
                    }
                    continue; // the head moved: read it again
                }
                writtenRev = head.rev();
            }
            var asRead = new ArrayList<StoredTransfer>();
            var pending = new ArrayList<Transfer>();
            for (var stored : chain != null && onChain != null ? onChain.apply(chain.run()) : read.get()) {
                var t = stored.transfer();
                if (t.isDecided()) {
                    answer(t); // decided by another round (the sweep, another node)
                } else if (t.link() == null || t.link().standsForBatch()) { // the rest of a batch is decided with its first only
                    asRead.add(stored);
                    pending.add(t);
                }
            }
            if (pending.isEmpty()) {
                return List.of();
            }
            pending.sort(Comparator.comparing(Transfer::timestamp).thenComparing(Transfer::id));
            var changed = new HashMap<String, Long>();
            var unstoredHere = new HashMap<String, Transfer>();
            asRead.stream().filter(st -> st.rev() == null).forEach(st -> unstoredHere.put(st.transfer().id(), st.transfer().alone()));
            var decisions = decide(head, pending, changed, batchesInLog(pending)).stream()
                    .map(d -> unstoredHere.containsKey(d.id()) ? d.carrying(unstoredHere.get(d.id())) : d).toList();
            beforeCommit.run();
            var written = store.commit(head, changed, decisions);
            // decided here, whatever the outcome: an entry filled in later must not decide them again
            decisions.forEach(d -> unread.remove(d.id()));
            if (written.outcome() == CouchLedgerStore.Outcome.COMMITTED && !store.alone(head.epoch())) {
                // every copy took it, so it has no rival of its own parent; but a rival branch that
                // split off earlier is still there and could grow past it: nothing is answered until
                // the next turn has removed the loser and committed the winner again
                known = null;
                chain = null;
                uncertainSince = uncertain(uncertainSince);
                continue;
            }
            if (written.outcome() == CouchLedgerStore.Outcome.COMMITTED) {
                afterCommit.run();
                var decided = store.apply(decisions, asRead);
                writtenRev = written.rev();
                known = written.head() == null ? null : new Known(written.head(), chain != null ? chain.run() : ++runs);
                seen(written.head() == null ? head.seq() + decisions.size() : written.head().seq(), store.node);
                decided.forEach(this::answer);
                decided.forEach(metrics::decided);
                return decided;
            }
            known = null;
            chain = null;
            if (written.outcome() == CouchLedgerStore.Outcome.UNCERTAIN) {
                // not every copy took it: the next turn commits it again (or finds a rival that won)
                // before anything in it is answered
                uncertainSince = uncertain(uncertainSince);
            } else {
                metrics.lostRace(); // another resolver moved the head first: decide again on its balances
                lost = true;
            }
        }
    }

    /**
     * What the log holds under the ids of the atomic batches' transfers after their first: read as
     * they are now, on the head the round decides on. A decided one there is answered (a batch sent
     * again finds its transfers; another transfer under a batch's id answers its own caller).
     */
    private Map<String, Transfer> batchesInLog(List<Transfer> pending) {
        var ids = pending.stream().filter(t -> t.link() != null).flatMap(t -> t.link().others().stream()).map(Transfer::id).toList();
        if (ids.isEmpty()) {
            return Map.of();
        }
        var inLog = new HashMap<String, Transfer>();
        for (var stored : store.stored(ids)) {
            var t = stored.transfer();
            inLog.put(t.id(), t);
            if (t.isDecided()) {
                answer(t);
            }
        }
        return inLog;
    }

    /** A round that gave way to the node that decides, deciding nothing. */
    private static final class Yield extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Yield() {
            super("gave way to the node that decides", null, false, false);
        }
    }

    private static final Yield YIELD = new Yield();

    /**
     * Several nodes: one decides for all. Each node whose callers wait, once it has seen another node
     * commit, follows the database's changes feed: it learns which node committed last, answers its
     * callers when their transfers show decided, and collects the pending transfers other nodes
     * stored. The node that committed last goes on deciding, its own callers' transfers and those;
     * the others leave their transfers to it ({@link #DEFER}) instead of racing it for the head, so a
     * commit carries every node's transfers and no round is lost. A decider that stops (it has no
     * callers left, or died) is taken over by any node whose transfer waits longer than that. Who
     * decides never matters to what is decided: every decision still goes through the commit point.
     */
    private final ConcurrentHashMap<String, Boolean> othersPending = new ConcurrentHashMap<>();
    /** When this node last saw another node at work (a head it committed, a transfer it stored): nanoTime, 0 never. */
    private volatile long otherSeenAt;
    /** The newest head this node has seen (its place), and the node that committed it: the one that decides. */
    private final AtomicReference<CouchLedgerStore.Committed> newest = new AtomicReference<>(new CouchLedgerStore.Committed(-1, null));
    final AtomicBoolean following = new AtomicBoolean();
    private volatile boolean closed;
    private volatile Thread feed;

    /** How long a node leaves its callers' transfers to the node that decides before deciding them itself. */
    static final Duration DEFER = Duration.ofMillis(500);
    /** How long a node follows the changes feed after it last saw another node at work. */
    static final Duration FOLLOW_FOR = Duration.ofSeconds(10);

    /** Whether another node decides, and this one follows it (the feed answers this node's callers). */
    private boolean deferring() {
        var d = newest.get().by();
        return following.get() && d != null && !d.equals(store.node) && System.nanoTime() - otherSeenAt < FOLLOW_FOR.toNanos();
    }

    /** A head at place {@code seq}, committed by {@code by}: the newest one seen names the node that decides. */
    private void seen(long seq, String by) {
        newest.accumulateAndGet(new CouchLedgerStore.Committed(seq, by), (known, seen) -> seen.seq() >= known.seq() ? seen : known);
        if (by != null && !by.equals(store.node)) {
            otherSeenAt = System.nanoTime();
            follow();
        }
    }

    private void follow() {
        if (!closed && following.compareAndSet(false, true)) {
            feed = Thread.ofVirtual().name("ledger-feed").start(this::followFeed);
        }
    }

    private void followFeed() {
        try {
            var since = store.feedNow();
            var wasDeciding = false;
            while (!closed && System.nanoTime() - otherSeenAt < FOLLOW_FOR.toNanos()) {
                if (!decides() && System.nanoTime() - relayedAt < FEED_REST.toNanos()) {
                    // the deciding node answers this node's callers over the relay, and nothing else of
                    // the feed is for a node that does not decide: each read would cost CouchDB a request
                    Thread.sleep(FEED_WAIT_MILLIS);
                    continue;
                }
                // the node that decides follows the inboxes, the others the head; one that starts
                // deciding reads the inboxes once, for what was handed over before it followed them
                var deciding = decides();
                var changes = store.changes(since, FEED_WAIT_MILLIS, 500, !deciding, deciding);
                since = changes.last();
                var docs = changes.docs();
                if (deciding && !wasDeciding) {
                    docs = new ArrayList<>(docs);
                    docs.addAll(store.inboxesNow());
                }
                wasDeciding = deciding;
                for (var doc : docs) {
                    var committed = CouchLedgerStore.committed(doc);
                    if (committed.isPresent()) {
                        seen(committed.get().seq(), committed.get().by());
                        deciderRelay = new RelayOf(committed.get().by(), CouchLedgerStore.relay(doc).orElse(null));
                        CouchLedgerStore.seen(doc).ifPresent(this::answerFrom);
                        continue;
                    }
                    var inboxes = CouchLedgerStore.inboxes(doc);
                    for (var inbox : inboxes) {
                        if (!inbox.by().equals(store.node) && !inbox.transfers().isEmpty()) {
                            for (var t : inbox.transfers()) {
                                if (!answers.containsKey(t.id()) && !unstored.containsKey(t.id())) {
                                    handedIn.put(t.id(), t);
                                    othersPending.put(t.id(), true);
                                }
                            }
                            otherSeenAt = System.nanoTime();
                        }
                    }
                    if (!inboxes.isEmpty()) {
                        continue;
                    }
                    var transfer = CouchLedgerStore.asTransfer(doc);
                    if (transfer.isEmpty()) {
                        continue;
                    }
                    var t = transfer.get();
                    if (t.isDecided()) {
                        othersPending.remove(t.id());
                        if (answer(t)) {
                            answeredByFeed.incrementAndGet();
                        }
                    } else if (!answers.containsKey(t.id()) && !unread.containsKey(t.id())) {
                        othersPending.put(t.id(), true);
                        otherSeenAt = System.nanoTime();
                    }
                }
                if (decides() && !othersPending.isEmpty() && rounds.lock.tryLock()) {
                    // this node decides and may have no caller of its own to start a round: start one
                    try {
                        decideWaiting();
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.DEBUG, "A round for other nodes' transfers failed; the next one tries again", e);
                    } finally {
                        rounds.leave();
                    }
                }
                if (!changes.docs().isEmpty() && !store.feedById()) {
                    Thread.sleep(FEED_PAUSE_MILLIS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Following the ledger's changes feed stopped; it starts again when needed", e);
        } finally {
            following.set(false);
            othersPending.clear();
            handedIn.clear();
        }
    }

    /** Heads the feed showed lately, by revision: a later head written on one of them shows that one committed. */
    private final Map<String, CouchLedgerStore.Seen> recentHeads = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CouchLedgerStore.Seen> eldest) {
            return size() > 16;
        }
    });

    /**
     * Answers this node's callers whose transfers a head of the feed decided. On one copy a head that
     * is there is committed. On several, a head may lose to a rival until it is committed on every
     * copy, and nothing in it is answered before: its batch is answered once a head written on it
     * with a later place shows up, since a node decides only on a committed head.
     */
    private void answerFrom(CouchLedgerStore.Seen head) {
        if (store.copies() == 1) {
            answerBatch(head.batch());
            return;
        }
        var parent = head.parent() == null ? null : recentHeads.get(head.parent());
        if (parent != null && head.seq() > parent.seq()) {
            answerBatch(parent.batch());
        }
        recentHeads.put(head.rev(), head);
    }

    private void answerBatch(List<Decision> batch) {
        for (var d : batch) {
            var t = d.transfer(); // decided unstored: the head carries the transfer whole
            if (t != null && d.at() != null && answers.containsKey(d.id())
                    && answer(t.decided(d.status(), d.reason(), d.seq(), d.at()))) {
                answeredByFeed.incrementAndGet();
            }
        }
    }

    /**
     * Where the feed brings every change (PouchDB Server), a pause after it gave some, so that the
     * next read finds several: each read costs the database as much as a write. Measured on one
     * Apache CouchDB node with two nodes deciding, 8 clients, when the feed brought every change
     * there too: 5 ms, about one read per transfer per node and 0.65 of one node's rate; 20 ms,
     * 0.75; 50 ms, 0.80. An idle feed still answers a change at once. A feed by id reads nothing
     * else, and waits for nothing.
     */
    private static final int FEED_PAUSE_MILLIS = 50;
    /**
     * How long one read of the feed waits for a change: a node whose role changed (it starts or stops
     * deciding) follows the other documents from its next read on.
     */
    private static final int FEED_WAIT_MILLIS = 250;
    /** How long after its last relayed answer a node that does not decide leaves the feed unread. */
    static final Duration FEED_REST = Duration.ofSeconds(1);
    private static final System.Logger LOG = System.getLogger(Resolver.class.getName());

    /** How many of this node's callers another node's decisions answered, through the feed. */
    final AtomicInteger answeredByFeed = new AtomicInteger();
    /** How many transfers other nodes handed to this one went through its rounds (decided there, or found decided). */
    final AtomicInteger decidedForOthers = new AtomicInteger();
    /** Transfers of batches that went into this node's rounds together (see {@link #submitAll}). */
    final AtomicInteger batchedTogether = new AtomicInteger();

    /** Whether this node decides: the newest head it has seen is its own. */
    boolean decides() {
        return store.node.equals(newest.get().by());
    }

    /** Stops following the changes feed (the node is closing). */
    public void close() {
        closed = true;
        var following = feed;
        if (following != null) {
            following.interrupt();
        }
    }

    /**
     * Whether the head's batch is written onto its transfers, or is within {@link #APPLY_GRACE}: its
     * committer is normally doing it right now. Writing it out meanwhile (and, on a cluster,
     * committing the head again) would race that committer's writes and break its chain of commits
     * for nothing; only a committer that died leaves the batch unwritten for long.
     */
    private boolean appliedSoon(Head head) {
        var deadline = System.nanoTime() + APPLY_GRACE.toNanos();
        while (true) {
            if (store.applied(head.batch())) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LedgerUnavailableException("interrupted while waiting for CouchDB", e);
            }
        }
    }

    /** How long a node waits for another to write out the batch it committed before doing it itself. */
    static final Duration APPLY_GRACE = Duration.ofMillis(100);

    /** After a write not every copy took: a pause, or the ledger unavailable once that has lasted {@link #UNCERTAIN_FOR}. */
    private static long uncertain(long since) {
        var now = System.nanoTime();
        since = since == 0 ? now : since;
        if (now - since > UNCERTAIN_FOR.toNanos()) {
            throw new LedgerUnavailableException("not every CouchDB copy took the ledger's commit within "
                    + UNCERTAIN_FOR.toSeconds() + " s; nothing is decided until they all can", null);
        }
        pause();
        return since;
    }

    /** How long a commit may stay short of every copy before the ledger answers that CouchDB is unavailable. */
    static final Duration UNCERTAIN_FOR = Duration.ofSeconds(5);

    /** A random few milliseconds, so that two resolvers that split the copies between them do not split them again. */
    private static void pause() {
        try {
            Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(5, 40));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerUnavailableException("interrupted while waiting for CouchDB", e);
        }
    }

    /**
     * Accounts this node created or read, with their rules: a transfer naming them needs no read of
     * them (accounts are never deleted and keep their rules).
     */
    public void knows(Map<String, Boolean> accounts) {
        rules.putAll(accounts);
    }

    /**
     * Reads the rules of the accounts these transfers name that this node has not seen, in one
     * request (accounts are never deleted and keep their rules); true if every account they name exists.
     */
    private boolean learnAccounts(List<Transfer> transfers) {
        var unknown = transfers.stream().flatMap(t -> Stream.of(t.from(), t.to())).filter(id -> !rules.containsKey(id)).distinct().toList();
        if (!unknown.isEmpty()) {
            rules.putAll(store.accounts(unknown));
        }
        return transfers.stream().allMatch(this::knowsAccountsOf);
    }

    private boolean knowsAccountsOf(Transfer transfer) {
        return rules.containsKey(transfer.from()) && rules.containsKey(transfer.to());
    }

    /**
     * The submissions whose accounts exist, to be stored; the others are answered here: the transfer
     * stored before under the id, or a refusal naming the unknown account. Accounts not seen before
     * are read in one request for the whole batch (accounts are never deleted and keep their rules).
     */
    private List<Submission> withKnownAccounts(List<Submission> batch) {
        if (learnAccounts(batch.stream().map(Submission::transfer).toList())) {
            return batch;
        }
        var known = new ArrayList<Submission>();
        var refused = new ArrayList<Submission>();
        for (var s : batch) {
            (knowsAccountsOf(s.transfer()) ? known : refused).add(s);
        }
        if (!refused.isEmpty()) {
            var before = new HashMap<String, Transfer>();
            store.stored(refused.stream().map(s -> s.transfer().id()).toList()).forEach(t -> before.put(t.transfer().id(), t.transfer()));
            for (var s : refused) {
                var t = s.transfer();
                if (before.containsKey(t.id())) {
                    s.stored().complete(new CouchLedgerStore.Inserted(before.get(t.id()), false, null));
                } else {
                    var field = rules.containsKey(t.from()) ? "to" : "from";
                    s.stored().completeExceptionally(new InvalidLedgerRequestException(field,
                            "no account " + (field.equals("from") ? t.from() : t.to())));
                }
            }
        }
        return known;
    }

    private boolean answer(Transfer decided) {
        var future = answers.get(decided.id());
        return future != null && future.complete(decided);
    }

    /** Decides pending transfers until none is left; answers how many this node decided. */
    public int resolveAll() {
        int total = 0;
        for (int n; (n = resolveOnce()) > 0; ) {
            total += n;
        }
        return total;
    }

    /** One batch of what the view shows pending: answers how many transfers this node decided (0 when none was pending). */
    public int resolveOnce() {
        rounds.enter();
        try {
            return round(() -> store.oldestPending(batchSize), null, false).size(); // the sweep rolls forward: it never gives way
        } finally {
            rounds.leave();
        }
    }

    /**
     * Decides the transfers in order on the head's balances; {@code changed} takes the balances they
     * change (and the amounts reservations hold, under {@link Head#held}), and places start after the
     * head's. What open reservations hold counts against the sender's available balance in every
     * decision, a transfer's as a reservation's.
     */
    List<Decision> decide(Head head, List<Transfer> transfers, HashMap<String, Long> changed) {
        return decide(head, transfers, changed, Map.of());
    }

    /**
     * {@link #decide(Head, List, HashMap)}, where an atomic batch's first transfer decides the batch:
     * its transfers take consecutive places, and either each one is decided as it would be on its
     * own, one after the other, or none moves anything and each is rejected, the first that failed
     * with its reason and the others as {@link Link#LINKED_REJECTED}. {@code inLog}: the transfers the
     * log holds under the ids of the batches' other transfers; such an id is taken, and its batch is
     * rejected without a decision on it (the log's transfer under that id is not this one).
     */
    List<Decision> decide(Head head, List<Transfer> transfers, HashMap<String, Long> changed, Map<String, Transfer> inLog) {
        var seq = head.seq();
        learnAccounts(transfers.stream().flatMap(t -> t.link() != null && t.link().standsForBatch() ? Link.members(t).stream() : Stream.of(t)).toList());
        var at = Instant.ofEpochMilli(System.currentTimeMillis());
        var decisions = new ArrayList<Decision>(transfers.size());
        for (var t : transfers) {
            if (t.link() != null && t.link().standsForBatch()) {
                decideBatch(head, t, changed, inLog, seq, at, decisions);
            } else {
                decisions.add(decide(head, t, changed, seq + decisions.size() + 1, at));
            }
        }
        return decisions;
    }

    public static final String ID_TAKEN = "its id is taken by another transfer";

    private void decideBatch(Head head, Transfer first, HashMap<String, Long> changed, Map<String, Transfer> inLog, long seq, Instant at,
                             List<Decision> decisions) {
        var members = Link.members(first);
        String failed = null;
        String why = null;
        for (var m : members.subList(1, members.size())) {
            if (inLog.containsKey(m.id())) {
                failed = m.id();
                why = ID_TAKEN;
                break;
            }
        }
        var tried = new HashMap<>(changed);
        var own = new ArrayList<Decision>(members.size());
        for (int i = 0; failed == null && i < members.size(); i++) {
            var m = members.get(i);
            var d = decide(head, m, tried, seq + decisions.size() + own.size() + 1, at);
            if (d.status() == TransferStatus.REJECTED) {
                failed = m.id();
                why = d.reason();
            } else {
                own.add(i == 0 ? d : d.carrying(m)); // the first is carried by the round when the log does not hold it
            }
        }
        if (failed == null) {
            changed.putAll(tried);
            decisions.addAll(own);
            return;
        }
        for (int i = 0; i < members.size(); i++) {
            var m = members.get(i);
            if (m.id().equals(failed) && ID_TAKEN.equals(why)) {
                continue; // the log's transfer under this id stands
            }
            var d = new Decision(m.id(), TransferStatus.REJECTED, m.id().equals(failed) ? why : Link.LINKED_REJECTED, seq + decisions.size() + 1, at);
            decisions.add(i == 0 ? d : d.carrying(m));
        }
    }

    private Decision decide(Head head, Transfer t, HashMap<String, Long> changed, long place, Instant at) {
        var fromRule = rules.get(t.from());
        if (fromRule == null || !rules.containsKey(t.to())) {
            return new Decision(t.id(), TransferStatus.REJECTED, UNKNOWN_ACCOUNT, place, at);
        }
        var heldKey = Head.held(t.from());
        long from = amount(head, changed, t.from());
        long to = amount(head, changed, t.to());
        long held = amount(head, changed, heldKey);
        var phase = t.twoPhase();
        if (phase != null && !phase.reserves()) {
            var open = amount(head, changed, Head.open(phase.pendingId())) != 0;
            return open ? settle(t, place, at, from, to, held, changed)
                    : new Decision(t.id(), TransferStatus.REJECTED, SETTLED_ALREADY, place, at);
        }
        if (!fromRule && from - held < t.amount()) {
            return new Decision(t.id(), TransferStatus.REJECTED, INSUFFICIENT_FUNDS, place, at);
        }
        // amounts are at most MAX_AMOUNT and so are balances, so these cannot overflow a long
        var reserving = phase != null;
        var newFrom = from - t.amount();
        var newTo = to + t.amount();
        var newHeld = held + t.amount();
        if (t.amount() > Transfer.MAX_AMOUNT || newFrom < -Transfer.MAX_AMOUNT || newTo > Transfer.MAX_AMOUNT
                || reserving && (newHeld > Transfer.MAX_AMOUNT || from - newHeld < -Transfer.MAX_AMOUNT)) {
            return new Decision(t.id(), TransferStatus.REJECTED, OVERFLOW, place, at);
        }
        if (reserving) { // held, not moved: the sender's balance stays until a post
            changed.put(heldKey, newHeld);
            changed.put(Head.open(t.id()), t.amount());
            return new Decision(t.id(), TransferStatus.RESERVED, null, place, at);
        }
        changed.put(t.from(), newFrom);
        changed.put(t.to(), newTo);
        return new Decision(t.id(), TransferStatus.SUCCESSFUL, null, place, at);
    }

    public static final String TIMED_OUT = "the reservation timed out before it was posted";
    public static final String SETTLED_ALREADY = "the reservation is settled already";

    /**
     * Decides the settlement of an open reservation: whatever its step, the reservation's amount
     * leaves what the sender holds and the reservation is no longer open (its other settlements are
     * rejected), and a post moves the amount posted. A post decided after the reservation's timeout
     * is its expiry; a post that would pass the largest exact amount releases it as a void does.
     */
    private static Decision settle(Transfer t, long place, Instant at, long from, long to, long held, HashMap<String, Long> changed) {
        var phase = t.twoPhase();
        changed.put(Head.held(t.from()), held - phase.held());
        changed.put(Head.open(phase.pendingId()), 0L);
        return switch (phase.step()) {
            case VOID -> new Decision(t.id(), TransferStatus.VOIDED, null, place, at);
            case EXPIRE -> new Decision(t.id(), TransferStatus.EXPIRED, null, place, at);
            default -> {
                if (at.isAfter(phase.expiresAt())) {
                    yield new Decision(t.id(), TransferStatus.EXPIRED, TIMED_OUT, place, at);
                }
                if (to + t.amount() > Transfer.MAX_AMOUNT) {
                    yield new Decision(t.id(), TransferStatus.VOIDED, OVERFLOW, place, at);
                }
                changed.put(t.from(), from - t.amount());
                changed.put(t.to(), to + t.amount());
                yield new Decision(t.id(), TransferStatus.POSTED, null, place, at);
            }
        };
    }

    private static long amount(Head head, Map<String, Long> changed, String key) {
        var c = changed.get(key);
        return c != null ? c : head.balance(key);
    }
}
