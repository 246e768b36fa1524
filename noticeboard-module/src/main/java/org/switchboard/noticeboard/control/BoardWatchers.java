package org.switchboard.noticeboard.control;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.switchboard.channels.Channels;
import org.switchboard.noticeboard.boundary.BoardsUnavailableException;
import org.switchboard.noticeboard.entity.Board;
import org.switchboard.noticeboard.entity.WatchOutcome;

/**
 * The watchers of one node. One Redis subscription serves them all: each post arrives once and is
 * fanned out in memory to the watchers of its board. A waiting watcher holds no thread, only a
 * future and a timer entry.
 *
 * <p>No update is missed: a watcher is registered before the board is read (from Redis, or from the
 * last post this node saw on its subscription), so a post that lands between the two is caught
 * either by the read or by the message. Messages lost while the
 * subscription was down are made up for on every (re)subscription, by reading every watched board
 * again.
 *
 * <p>The subscription is made at the first watch and tried again every second until it stands; Redisson renews it after a reconnection. A watch waits up to {@link #SUBSCRIBE_WAIT} for the
 * first one, then fails as unavailable.
 */
@ApplicationScoped
public class BoardWatchers implements AutoCloseable {

    static final Duration SUBSCRIBE_WAIT = Duration.ofSeconds(2);
    /** How long after a lease's end its watchers look at the board: clocks differ a little. */
    static final Duration LEASE_MARGIN = Duration.ofMillis(100);

    private static final System.Logger LOG = System.getLogger(BoardWatchers.class.getName());

    private RedisBoardStore store;
    private Channels channels;
    private final ConcurrentHashMap<String, Set<Waiter>> waiting = new ConcurrentHashMap<>();
    /**
     * The last post of each board seen on the subscription since it was (re)established. Posts come
     * in revision order, so a watcher registered before looking here is woken by any later post: it
     * needs no Redis read. Cleared on every (re)subscription, since posts may have been missed.
     */
    private final ConcurrentHashMap<String, Board> lastSeen = new ConcurrentHashMap<>();
    private static final int LAST_SEEN_LIMIT = 10_000;
    private ScheduledThreadPoolExecutor timeouts;
    /** The planned look at each leased board with watchers, just after the earliest lease end they wait past. */
    private final ConcurrentHashMap<String, LeaseCheck> leaseChecks = new ConcurrentHashMap<>();

    private record LeaseCheck(long at, ScheduledFuture<?> future) {
    }
    /**
     * Completes the watchers' futures off Redis's I/O thread, a virtual thread each: a continuation
     * that blocks (an in-process watcher, a stream's send) holds only its own. Callers with heavy work
     * per answer hand it on to their own threads (the long-poll filter does).
     */
    private final ExecutorService completions = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("noticeboard-wake-", 0).factory());
    private final CompletableFuture<Void> subscribed = new CompletableFuture<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean closed;

    protected BoardWatchers() {
        // for CDI's proxy
    }

    @Inject
    public BoardWatchers(RedisBoardStore store) {
        this.store = store;
        this.channels = store.channels();
        this.timeouts = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("noticeboard-timeouts").factory());
        this.timeouts.setRemoveOnCancelPolicy(true);
    }

    /**
     * Answers as soon as the board holds something newer than {@code afterRevision} (or a revision
     * from another epoch, or an older revision than the one given: a cursor from before a reset), or
     * after {@code timeout} with the current state and {@code changed == false}.
     */
    public CompletableFuture<WatchOutcome> watch(String board, long afterRevision, String epoch, Duration timeout) {
        if (started.compareAndSet(false, true)) {
            subscribe();
        }
        // once the subscription stands (it is never undone: Redisson renews it), a watch pays nothing for it
        var ready = subscribed.isDone() ? subscribed : subscribed.copy().orTimeout(SUBSCRIBE_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .<Void>handle((ok, failure) -> {
                    if (failure != null) {
                        throw new BoardsUnavailableException("Redis cannot be reached: the notice boards are not subscribed", failure);
                    }
                    return ok;
                });
        return ready.thenCompose(ignored -> {
            var waiter = new Waiter(board, afterRevision, epoch, timeout);
            waiting.computeIfAbsent(board, b -> ConcurrentHashMap.newKeySet()).add(waiter);
            waiter.timer = timeouts.schedule(() -> expire(waiter), timeout.toMillis(), TimeUnit.MILLISECONDS);
            var seen = lastSeen.get(board);
            if (seen != null) {
                offer(waiter, seen);
                return waiter.future;
            }
            store.read(board).whenComplete((current, failure) -> {
                if (failure != null) {
                    finish(waiter, null, failure);
                } else {
                    offer(waiter, current.orElse(null));
                }
            });
            return waiter.future;
        });
    }

    /** How many watchers wait on this node, for the admin pages and the benchmark. */
    public int waitingCount() {
        return waiting.values().stream().mapToInt(Set::size).sum();
    }

    static boolean isNews(Board current, long afterRevision, String epoch) {
        if (current == null) {
            return afterRevision > 0; // the board is gone: the cursor is from before a reset
        }
        return current.revision() != afterRevision || (epoch != null && !epoch.equals(current.epoch()));
    }

    private void offer(Waiter waiter, Board current) {
        if (isNews(current, waiter.afterRevision, waiter.epoch)) {
            finish(waiter, new WatchOutcome(current, true), null);
        } else if (current != null && current.expiresAt() != null) {
            watchLease(waiter, current.expiresAt());
        }
    }

    /**
     * Redis lets a board whose lease ran out go without a message: the node looks at it just after
     * (by this node's clock, a little late rather than early), once for all its watchers, and
     * answers them if it is gone. Redis's own expiry decides, so every node agrees, before and after
     * a restart. One check per board, at the earliest lease end its watchers wait past: 10,000
     * watchers of one board cost one read, not 10,000.
     */
    private void watchLease(Waiter waiter, Instant expiresAt) {
        var at = expiresAt.toEpochMilli() + LEASE_MARGIN.toMillis();
        if (at >= waiter.deadline || waiter.done.get()) {
            return; // the watch ends first, and reads the board then
        }
        leaseChecks.compute(waiter.board, (board, planned) -> {
            if (planned != null && planned.at() <= at && !planned.future().isDone()) {
                return planned; // an earlier look offers the board to every watcher, this one included
            }
            if (planned != null) {
                planned.future().cancel(false);
            }
            var check = new AtomicReference<LeaseCheck>();
            try {
                // found still there: the watchers' offers plan the next look (shortly, if the clock is behind Redis's)
                check.set(new LeaseCheck(at, timeouts.schedule(() -> {
                    var self = check.get();
                    if (self != null) {
                        leaseChecks.remove(board, self);
                    }
                    store.read(board).whenComplete((current, failure) -> {
                        var watchers = waiting.get(board);
                        if (failure == null && watchers != null) {
                            watchers.forEach(w -> offer(w, current.orElse(null)));
                        }
                    });
                }, Math.max(LEASE_MARGIN.toMillis(), at - System.currentTimeMillis()), TimeUnit.MILLISECONDS)));
            } catch (RejectedExecutionException closing) {
                return null; // the node is stopping: the watches are answered by their end
            }
            return check.get();
        });
    }

    private void expire(Waiter waiter) {
        store.read(waiter.board).whenComplete((current, failure) -> {
            var board = current == null ? null : current.orElse(null);
            finish(waiter, failure == null ? new WatchOutcome(board, isNews(board, waiter.afterRevision, waiter.epoch)) : null, failure);
        });
    }

    private void finish(Waiter waiter, WatchOutcome outcome, Throwable failure) {
        if (!waiter.done.compareAndSet(false, true)) {
            return;
        }
        waiting.computeIfPresent(waiter.board, (b, set) -> {
            set.remove(waiter);
            return set.isEmpty() ? null : set;
        });
        if (waiter.timer != null) {
            waiter.timer.cancel(false);
        }
        completions.execute(() -> {
            if (failure != null) {
                waiter.future.completeExceptionally(failure);
            } else {
                waiter.future.complete(outcome);
            }
        });
    }

    private void onMessage(String message) {
        RedisBoardStore.parseDeletion(message).ifPresentOrElse(this::onDeleted,
                () -> RedisBoardStore.parseMessage(message).ifPresent(this::onPost));
    }

    /** A board deleted (or expired): its watchers who had seen a revision are answered with no board. */
    private void onDeleted(String board) {
        lastSeen.remove(board);
        var watchers = waiting.get(board);
        if (watchers != null) {
            watchers.forEach(w -> offer(w, null));
        }
    }

    /** A post seen on the subscription: the last of its board, and news for its watchers. */
    private void onPost(Board posted) {
        if (lastSeen.size() >= LAST_SEEN_LIMIT) {
            lastSeen.clear();
        }
        lastSeen.put(posted.name(), posted);
        var watchers = waiting.get(posted.name());
        if (watchers != null) {
            watchers.forEach(w -> offer(w, posted));
        }
    }

    /** After a (re)subscription, the messages of its channel may have been lost: read the watched boards it carries again. */
    private void recheck(Predicate<String> boards) {
        lastSeen.keySet().removeIf(boards);
        waiting.forEach((board, watchers) -> {
            if (boards.test(board)) {
                store.read(board).thenAccept(current -> watchers.forEach(w -> offer(w, current.orElse(null))));
            }
        });
    }

    private void subscribe() {
        if (closed) {
            return;
        }
        channels.listen(this::onMessage, this::recheck).whenComplete((ok, failure) -> {
            if (failure == null) {
                subscribed.complete(null);
            } else if (!closed) {
                LOG.log(System.Logger.Level.DEBUG, "The notice boards' subscription failed; trying again in a second", failure);
                timeouts.schedule(this::subscribe, 1, TimeUnit.SECONDS);
            }
        });
    }

    @Override
    @PreDestroy
    public void close() {
        closed = true;
        timeouts.shutdownNow();
        completions.shutdown();
        channels.close();
    }

    private static final class Waiter {
        final String board;
        final long afterRevision;
        final String epoch;
        final CompletableFuture<WatchOutcome> future = new CompletableFuture<>();
        final AtomicBoolean done = new AtomicBoolean();
        volatile ScheduledFuture<?> timer;
        final long deadline;

        Waiter(String board, long afterRevision, String epoch, Duration timeout) {
            this.board = board;
            this.afterRevision = afterRevision;
            this.epoch = epoch;
            this.deadline = System.currentTimeMillis() + timeout.toMillis();
        }
    }

}
