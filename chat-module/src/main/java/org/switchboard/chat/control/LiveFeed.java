package org.switchboard.chat.control;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;
import org.switchboard.channels.Channels;
import org.switchboard.chat.boundary.Follower;
import org.switchboard.chat.entity.ChatMessage;

/**
 * The live messages of one node, with the guarantee that every follower gets every message after
 * its starting point exactly once, in order.
 *
 * <p>One Redis subscription serves the node (one per channel when the channels are sharded: a room's
 * messages all go on one of them, in order). Per room with followers, a <em>tail</em> knows the
 * highest number it has passed on ({@code head}) and passes on only {@code head + 1}: a number below
 * is a duplicate and dropped; a number above is held back, since two requests that commit one after
 * the other may publish the other way round, and if the missing numbers have not come within
 * {@link #GAP_GRACE} the channel lost them and they are read from SQL. The tail is made the way a reader should be: subscribe first
 * (buffering what arrives), then read where the history ends, then merge. Messages can still be lost
 * with nothing after them to show the gap (a node killed between its commit and its publish, a
 * dropped subscription): every {@code checkEvery} each tail, and on every (re)subscription each tail of a room its channel carries, compares
 * its head with the room's last number in SQL and backfills. All of a node's tails run on one thread,
 * so a tail needs no lock.
 *
 * <p>A follower starts from any number and keeps its own place: it takes the messages up to the
 * tail's head from the tail's last {@value #RECENT} messages in memory, or from SQL when it is further
 * behind (a late start, a slow client). A follower costs no queue, and a slow one never holds up the
 * others.
 */
public class LiveFeed implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(LiveFeed.class.getName());
    /** At most this many messages are held back per room, before the history's end is known or in a gap. */
    static final int MAX_QUEUED = 1000;
    /** Each followed room keeps its last messages in memory, for its readers. */
    static final int RECENT = 4096;
    static final int PAGE = 500;
    /** How long a message that overtook the one before it waits for it before the gap is read from SQL. */
    static final Duration GAP_GRACE = Duration.ofMillis(25);

    private final MessageStore history;
    private final ChatMetrics metrics;
    private final Channels channels;
    private final ConcurrentHashMap<String, Tail> tails = new ConcurrentHashMap<>();
    /** The tails' own thread: live messages, backfills and checks run here one after another. */
    private final ExecutorService feed;
    /** Followers deliver on threads of their own, so that a slow client holds up nobody. */
    private final ExecutorService delivery;
    private final ScheduledExecutorService ticker;
    private volatile CompletableFuture<Void> subscription;

    public LiveFeed(Channels channels, MessageStore history, ThreadFactory threads, Duration checkEvery, ChatMetrics metrics) {
        this.history = history;
        this.metrics = metrics;
        this.channels = channels;
        this.feed = Executors.newSingleThreadExecutor(threads);
        this.delivery = Executors.newThreadPerTaskExecutor(threads);
        this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("chat-feed-ticker").factory());
        this.ticker.scheduleWithFixedDelay(() -> onFeed(() -> check(room -> true)), checkEvery.toMillis(), checkEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Broadcasts a committed message to every node. A lost publish is made up for by the tails' checks. */
    public CompletionStage<Long> publish(ChatMessage message) {
        return channels.publish(message.room(), MessageCodec.encode(message));
    }

    /** Follows {@code room} from the message after {@code afterSeq}; close the answer to stop. */
    public AutoCloseable follow(String room, long afterSeq, Follower follower) {
        var reader = new Reader(room, afterSeq + 1, follower);
        var created = new AtomicBoolean();
        tails.compute(room, (r, tail) -> {
            if (tail == null) {
                tail = new Tail(r);
                created.set(true);
            }
            tail.readers.add(reader);
            reader.tail = tail;
            return tail;
        });
        if (created.get()) {
            var tail = reader.tail;
            // subscribe first, then read where the history ends; if Redis is down the checks carry the room
            subscribed().whenComplete((ok, failure) -> onFeed(() -> initialize(tail)));
        } else {
            reader.kick();
        }
        return reader::close;
    }

    /** How many followers this node serves, and in how many rooms. */
    public int followers() {
        return tails.values().stream().mapToInt(t -> t.readers.size()).sum();
    }

    public Set<String> followedRooms() {
        return Set.copyOf(tails.keySet());
    }

    // ---- the tails, on the feed thread only

    private void initialize(Tail tail) {
        if (tail.head >= 0) {
            return;
        }
        try {
            tail.head = history.lastSeq(tail.room);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, () -> "Chat room " + tail.room + ": the history cannot be read; trying again at the next check", e);
            return;
        }
        var early = tail.early;
        tail.early = new ArrayList<>();
        early.forEach(m -> onLive(tail, m));
        tail.readers.forEach(Reader::kick);
    }

    private void onLive(Tail tail, ChatMessage message) {
        if (tail.head < 0) {
            if (tail.early.size() < MAX_QUEUED) {
                tail.early.add(message); // beyond that, the first check reads them from SQL
            }
            return;
        }
        if (message.seq() <= tail.head) {
            metrics.duplicate(); // a duplicate, or one the tail backfilled already
            return;
        }
        if (message.seq() > tail.head + 1) {
            // Ahead of the next number. Usually the one before was just published a moment later by
            // another request: hold this one back for a short grace, then read the gap from SQL.
            if (tail.ahead.putIfAbsent(message.seq(), message) != null) {
                metrics.duplicate(); // held back already
                return;
            }
            if (tail.ahead.size() >= MAX_QUEUED) {
                fillGap(tail);
            } else if (tail.ahead.size() == 1) {
                ticker.schedule(() -> onFeed(() -> fillGap(tail)), GAP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
            return;
        }
        pass(tail, message);
        passAhead(tail);
    }

    /** Passes on the held-back messages that now follow the head. */
    private void passAhead(Tail tail) {
        for (ChatMessage next; (next = tail.ahead.remove(tail.head + 1)) != null; ) {
            pass(tail, next);
        }
        var backfilled = tail.ahead.headMap(tail.head + 1); // held back, then read from SQL first
        backfilled.forEach((seq, m) -> metrics.duplicate());
        backfilled.clear();
    }

    /** The grace is over: reads the numbers missing before the held-back messages from SQL. */
    private void fillGap(Tail tail) {
        if (tail.ahead.isEmpty() || tail.head < 0) {
            return;
        }
        if (backfill(tail, tail.ahead.firstKey() - 1)) {
            passAhead(tail);
        } // else the history cannot be read now: the next check takes it from there
    }

    /** Passes on every message up to {@code to} from SQL; false if SQL could not be read. */
    private boolean backfill(Tail tail, long to) {
        try {
            while (tail.head < to) {
                var page = history.after(tail.room, tail.head, (int) Math.min(PAGE, to - tail.head));
                if (page.isEmpty()) {
                    return false;
                }
                page.forEach(m -> pass(tail, m));
                metrics.gap(page.size());
            }
            return true;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, () -> "Chat room " + tail.room + ": backfill from the history failed; trying again at the next check", e);
            return false;
        }
    }

    private void pass(Tail tail, ChatMessage message) {
        if (message.seq() <= tail.head) {
            return;
        }
        tail.recent.set((int) (message.seq() % RECENT), message);
        tail.head = message.seq();
        tail.readers.forEach(Reader::kick);
    }

    /** Compares the followed rooms that {@code rooms} accepts with their history in SQL, and backfills. */
    private void check(Predicate<String> rooms) {
        for (var tail : tails.values()) {
            if (!rooms.test(tail.room)) {
                continue;
            }
            if (tail.head < 0) {
                initialize(tail);
                continue;
            }
            try {
                var last = history.lastSeq(tail.room);
                if (last > tail.head) {
                    backfill(tail, last);
                    passAhead(tail);
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, () -> "Chat room " + tail.room + ": the history cannot be read", e);
            }
        }
    }

    private void onMessage(String text) {
        ChatMessage message;
        try {
            message = MessageCodec.decode(text);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Ignored a malformed chat message on the channel", e);
            return;
        }
        onFeed(() -> {
            var tail = tails.get(message.room());
            if (tail != null) {
                onLive(tail, message);
            }
        });
    }

    private void onFeed(Runnable task) {
        try {
            feed.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "Chat feed task failed", e);
                }
            });
        } catch (RejectedExecutionException closing) {
            // the node is shutting down
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Chat feed task not started", e); // never kill the caller (the ticker)
        }
    }

    // ---- the subscription

    private CompletableFuture<Void> subscribed() {
        var current = subscription;
        if (current != null && !current.isCompletedExceptionally()) {
            return current;
        }
        synchronized (this) {
            if (subscription == null || subscription.isCompletedExceptionally()) {
                subscription = subscribe();
            }
            return subscription;
        }
    }

    private CompletableFuture<Void> subscribe() {
        // after a (re)subscription, messages may have been lost while it was down
        return channels.listen(this::onMessage, rooms -> onFeed(() -> check(rooms)));
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        feed.shutdownNow();
        tails.values().forEach(t -> t.readers.forEach(r -> r.end(new IllegalStateException("the node is shutting down"))));
        delivery.shutdownNow();
        channels.close();
    }

    private static final class Tail {
        final String room;
        final Set<Reader> readers = ConcurrentHashMap.newKeySet();
        /** The highest number passed on; -1 until the history's end is known. Written on the feed thread only. */
        volatile long head = -1;
        List<ChatMessage> early = new ArrayList<>();
        /** The last {@value #RECENT} messages passed on, at {@code seq % RECENT}: what readers take. */
        final AtomicReferenceArray<ChatMessage> recent = new AtomicReferenceArray<>(RECENT);
        /** Messages that came before the one preceding them, held back for {@link #GAP_GRACE}. */
        final TreeMap<Long, ChatMessage> ahead = new TreeMap<>();

        Tail(String room) {
            this.room = room;
        }
    }

    /**
     * One follower and the number it needs next. It takes the messages up to the tail's head from the
     * tail's recent messages, or from SQL when it is further behind than those (or starts there).
     */
    private final class Reader {
        final String room;
        final Follower follower;
        final AtomicBoolean draining = new AtomicBoolean();
        final AtomicBoolean ended = new AtomicBoolean();
        volatile Tail tail;
        /** Touched by the draining thread only (one at a time). */
        long next;

        Reader(String room, long next, Follower follower) {
            this.room = room;
            this.next = next;
            this.follower = follower;
        }

        void kick() {
            if (!ended.get() && draining.compareAndSet(false, true)) {
                try {
                    delivery.execute(this::drain);
                } catch (RuntimeException closing) {
                    draining.set(false);
                    LOG.log(System.Logger.Level.DEBUG, "Chat delivery not started", closing);
                }
            }
        }

        private void drain() {
            try {
                while (!ended.get()) {
                    var head = tail.head;
                    if (next > head) {
                        draining.set(false);
                        // the head may have moved between the read and the flag: go on if so and nobody else took over
                        if (tail.head < next || !draining.compareAndSet(false, true)) {
                            return;
                        }
                        continue;
                    }
                    var batch = new ArrayList<ChatMessage>();
                    while (next <= head && batch.size() < PAGE) {
                        var message = tail.recent.get((int) (next % RECENT));
                        if (message == null || message.seq() != next) {
                            break; // older than the recent messages
                        }
                        batch.add(message);
                        next++;
                    }
                    if (batch.isEmpty()) {
                        catchUp(Math.min(head, next + PAGE - 1));
                    } else {
                        follower.deliver(batch);
                        metrics.delivered(batch.getLast());
                    }
                }
            } catch (Exception e) {
                end(e);
            }
        }

        /** Delivers from SQL every message up to {@code to}. */
        private void catchUp(long to) throws Exception {
            var page = history.after(room, next - 1, (int) Math.min(PAGE, to - next + 1));
            var fresh = page.stream().filter(m -> m.seq() >= next && m.seq() <= to).toList();
            if (fresh.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "Chat room {0}: messages {1}..{2} are not in the history; skipped", room, next, to);
                next = to + 1;
                return;
            }
            follower.deliver(fresh);
            next = fresh.getLast().seq() + 1;
        }

        void close() {
            if (ended.compareAndSet(false, true)) {
                detach();
            }
        }

        void end(Throwable cause) {
            if (ended.compareAndSet(false, true)) {
                detach();
                try {
                    follower.ended(cause);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, "A chat follower failed on its end", e);
                }
            }
        }

        private void detach() {
            tails.computeIfPresent(room, (r, t) -> {
                t.readers.remove(this);
                return t.readers.isEmpty() ? null : t;
            });
        }
    }
}
