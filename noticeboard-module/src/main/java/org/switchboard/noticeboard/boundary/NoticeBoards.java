package org.switchboard.noticeboard.boundary;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
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

    public static final int MAX_VALUE_BYTES = 64 * 1024;
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);
    public static final Duration MAX_WAIT = Duration.ofSeconds(300);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private RedisBoardStore store;
    private BoardWatchers watchers;

    protected NoticeBoards() {
        // for CDI's proxy
    }

    @Inject
    NoticeBoards(RedisBoardStore store, BoardWatchers watchers) {
        this.store = store;
        this.watchers = watchers;
    }

    /** Posts a new value (JSON text, at most 64 KiB) and answers the board with its new revision. */
    public Board post(String board, String json) {
        checkName(board);
        return store.post(board, checkValue(json));
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
        return watchers.watch(board, afterRevision, epoch, jittered(wait, ThreadLocalRandom.current()));
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
                return json.strip();
            }
        } catch (RuntimeException e) {
            // answered below
        }
        throw new InvalidBoardRequestException("value", "the value is not one JSON value (post exactly one), or it is nested too deeply");
    }
}
