package org.switchboard.noticeboard.boundary;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonConfig;
import jakarta.json.JsonReaderFactory;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import org.switchboard.noticeboard.control.BoardWatchers;
import org.switchboard.noticeboard.control.RedisBoardStore;
import org.switchboard.noticeboard.entity.Board;
import org.switchboard.noticeboard.entity.BoardSummary;
import org.switchboard.noticeboard.entity.WatchOutcome;

/**
 * Notice boards, for the REST API and for other modules in-process: post a value, read a board,
 * watch it for the next value. Every input is checked here; a broken rule throws
 * {@link InvalidBoardRequestException} and stores nothing; Redis out of reach throws
 * {@link BoardsUnavailableException}, also through the futures.
 */
@ApplicationScoped
public class NoticeBoards {

    /** Looked up once: the {@code Json} shortcuts search the service loader on every call. */
    private static final JsonProvider JSON = JsonProvider.provider();
    private static final JsonReaderFactory NO_KEY_TWICE = JSON.createReaderFactory(Map.of(JsonConfig.KEY_STRATEGY, JsonConfig.KeyStrategy.NONE));

    public static final int MAX_VALUE_BYTES = 64 * 1024;
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);
    public static final Duration MAX_WAIT = Duration.ofSeconds(300);
    public static final Duration MAX_LEASE = Duration.ofDays(30);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60),
        Duration.ofSeconds(120), Duration.ofSeconds(300)};

    private RedisBoardStore store;
    private BoardWatchers watchers;
    private Counter posts;
    private Timer changed;
    private Timer unchanged;
    private Timer wakeUpLag;

    protected NoticeBoards() {
        // for CDI's proxy
    }

    /**
     * With this node's meters: posts; watchers waiting; each watch's answer by outcome (a new value,
     * or nothing new when its wait ran out) and how long it waited; and, for a watcher woken by a
     * post, the time from the post (by Redis's clock) to the wake-up.
     */
    @Inject
    NoticeBoards(RedisBoardStore store, BoardWatchers watchers, MeterRegistry meters) {
        this.store = store;
        this.watchers = watchers;
        posts = Counter.builder("switchboard.boards.posts").description("Values posted through this node").register(meters);
        Gauge.builder("switchboard.boards.watchers", watchers, BoardWatchers::waitingCount)
                .description("Watchers waiting on this node (long polls and event streams)").register(meters);
        changed = answers(meters, "changed");
        unchanged = answers(meters, "unchanged");
        wakeUpLag = Timer.builder("switchboard.boards.wakeup.lag").description("From a post to the wake-up of a watcher that waited for it")
                .serviceLevelObjectives(BUCKETS).register(meters);
    }

    private static Timer answers(MeterRegistry meters, String outcome) {
        return Timer.builder("switchboard.boards.watch.answer").description("How long a watch waited for its answer, by outcome")
                .tag("outcome", outcome).serviceLevelObjectives(BUCKETS).register(meters);
    }

    /** Posts a new value (JSON text, at most 64 KiB) and answers the board with its new revision. */
    public Board post(String board, String json) {
        return post(board, json, BoardPrecondition.NONE);
    }

    /**
     * Posts if {@code condition} holds, checked atomically with the write; otherwise throws
     * {@link BoardConditionFailedException} with the board's version, and nothing is posted.
     */
    public Board post(String board, String json, BoardPrecondition condition) {
        return post(board, json, condition, null);
    }

    /**
     * {@link #post(String, String, BoardPrecondition)}, and with a {@code lease} (1 second to 30 days)
     * the board expires that long after this post and after every later one, which renews it; its
     * watchers learn it as a deletion. Null keeps the board's own lease, if it has one.
     */
    public Board post(String board, String json, BoardPrecondition condition, Duration lease) {
        checkName(board);
        if (lease != null && (lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(MAX_LEASE) > 0)) {
            throw new InvalidBoardRequestException("ttlSeconds", "the lease is 1 second to 30 days");
        }
        var posted = store.post(board, checkValue(json), condition, lease);
        posts.increment();
        return posted;
    }

    /**
     * Deletes the board: its watchers are answered at once (with no board), and a later post starts
     * it again under a new epoch. False if it did not exist.
     */
    public boolean delete(String board) {
        checkName(board);
        return store.delete(board);
    }

    public Optional<Board> current(String board) {
        checkName(board);
        try {
            return store.read(board).join();
        } catch (CompletionException e) {
            throw RedisBoardStore.unavailable(e);
        }
    }

    /**
     * Answers at once when the board holds a revision other than {@code afterRevision} or another
     * epoch; otherwise when the next value is posted, or after {@code wait} (capped at 5 minutes, plus
     * up to 1/16 of random jitter so that watchers do not all come back together) with nothing new.
     */
    public CompletionStage<WatchOutcome> watch(String board, long afterRevision, String epoch, Duration wait) {
        checkName(board);
        if (afterRevision < 0) {
            throw new InvalidBoardRequestException("after", "after must be a revision, 0 or more");
        }
        if (wait.isNegative()) {
            throw new InvalidBoardRequestException("wait", "wait must be 0 seconds or more");
        }
        var start = System.nanoTime();
        var since = Instant.now();
        return watchers.watch(board, afterRevision, epoch, jittered(wait, ThreadLocalRandom.current())).whenComplete((outcome, failure) -> {
            if (outcome == null) {
                return;
            }
            var waited = System.nanoTime() - start;
            (outcome.changed() ? changed : unchanged).record(waited, TimeUnit.NANOSECONDS);
            if (outcome.changed() && outcome.board() != null && outcome.board().postedAt().isAfter(since)) {
                // woken by a post made while it waited (not answered at once with a value it had not seen)
                var lag = Duration.between(outcome.board().postedAt(), Instant.now());
                wakeUpLag.record(lag.isNegative() ? Duration.ZERO : lag);
            }
        });
    }

    /** The wait capped at {@link #MAX_WAIT}, plus a random 0 to 1/16 of it. */
    static Duration jittered(Duration wait, RandomGenerator random) {
        var capped = wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
        return capped.plusMillis(random.nextLong(capped.toMillis() / 16 + 1));
    }

    /** The boards, most recently posted first. */
    public List<BoardSummary> list(int limit) {
        return store.list(Math.max(1, Math.min(limit, 10_000)));
    }

    /** How many watchers wait on this node. */
    public int watching() {
        return watchers.waitingCount();
    }

    public static boolean isValidName(String board) {
        return board != null && NAME.matcher(board).matches();
    }

    /** Throws {@link InvalidBoardRequestException} unless {@code board} is a valid board name. */
    public static void checkName(String board) {
        if (!isValidName(board)) {
            throw new InvalidBoardRequestException("board", "a board name is 1 to 128 letters, digits, '.', '_' or '-'");
        }
    }

    private static String checkValue(String json) {
        if (json == null || json.isBlank()) {
            throw new InvalidBoardRequestException("value", "the value is missing: post any JSON value");
        }
        if (json.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
            throw new InvalidBoardRequestException("value", "the value is larger than 64 KiB");
        }
        try (var parser = JSON.createParser(new StringReader(json))) {
            // the stream refuses text after the value; the nesting limit throws a plain RuntimeException
            if (parser.getValueStream().count() == 1) {
                try (var reader = NO_KEY_TWICE.createReader(new StringReader(json))) {
                    reader.readValue(); // refuses an object that names a key twice: readers differ on which copy wins
                }
                return json.strip();
            }
        } catch (RuntimeException e) {
            // answered below
        }
        throw new InvalidBoardRequestException("value",
                "the value is not one JSON value (post exactly one, with each key of an object once), or it is nested too deeply");
    }
}
