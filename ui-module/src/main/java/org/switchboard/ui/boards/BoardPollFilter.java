package org.switchboard.ui.boards;

import jakarta.inject.Inject;
import jakarta.json.spi.JsonProvider;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.switchboard.noticeboard.boundary.InvalidBoardRequestException;
import org.switchboard.noticeboard.boundary.NoticeBoards;
import org.switchboard.noticeboard.entity.Board;
import org.switchboard.ui.api.Inputs;
import org.switchboard.ui.api.OpenStreams;
import org.switchboard.ui.api.Problem;
import org.switchboard.ui.metrics.HttpMetrics;
import org.switchboard.ui.api.PublicUrl;
import org.switchboard.ui.api.ProblemMappers;
import org.switchboard.ui.api.Unavailable;

/**
 * The long poll, {@code GET /api/boards/{board}?after={revision}[&epoch][&wait]}, served on the
 * Servlet API rather than by JAX-RS: the request waits as an asynchronous request (no thread), and
 * when the board changes every watcher is answered with the same bytes, made once per revision, in
 * one write. Through the JAX-RS resource each answer went through the resource's response pipeline
 * (writers, listeners, the resumed request's context), which on this two-core machine held a node to
 * 1,000 to 2,000 answers a second: 10,000 watchers took seconds to answer. The answer is the same as
 * {@link BoardsResource}'s: the board with {@code next}, or a problem.
 *
 * <p>Delivery first, bookkeeping after. Answering a watcher has two parts: writing its bytes (cheap)
 * and completing the asynchronous request, where the container runs its end-of-request work (the
 * security layer's response step, CDI's request context, the connection made ready for the next
 * request), several times the cost of the write. Both run on one first-in-first-out pool: when a
 * board changes, every watcher's answer is written and flushed, and each completion is queued behind
 * the writes already queued, so the last watcher gets its answer without waiting for the container's
 * bookkeeping of the others. A watcher's next poll on the same connection is read once its previous
 * request is completed; it names the revision it got, so nothing is missed meanwhile.
 */
@WebFilter(urlPatterns = "/api/boards/*", asyncSupported = true)
public class BoardPollFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;

    private static final Pattern BOARD = Pattern.compile("/api/boards/([^/]+)");
    private static final JsonProvider JSON = JsonProvider.provider();

    /** The last answer made: thousands of watchers of a board are answered with the same revision. */
    private static final AtomicReference<Answer> LAST = new AtomicReference<>();

    private record Answer(Board board, String name, String base, String waitParam, byte[] bytes) {
    }

    @Inject
    transient NoticeBoards boards;

    @Inject
    transient PublicUrl urls;

    @Inject
    transient OpenStreams streams;

    /** Writes the answers, then completes the requests, in the order queued. */
    private transient ExecutorService answers;

    @Override
    public void init() {
        answers = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                Thread.ofPlatform().daemon().name("board-answers-", 0).factory());
    }

    @Override
    public void destroy() {
        answers.shutdown();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        var path = request.getRequestURI().substring(request.getContextPath().length());
        var matcher = BOARD.matcher(path);
        if (!"GET".equals(request.getMethod()) || request.getParameter("after") == null || !matcher.matches()) {
            chain.doFilter(request, response);
            return;
        }
        request.setAttribute(HttpMetrics.ROUTE, "/api/boards/{board}?after");
        var name = matcher.group(1);
        var wait = request.getParameter("wait");
        long after;
        long waitSeconds;
        try {
            NoticeBoards.checkName(name);
            after = number("after", request.getParameter("after"));
            waitSeconds = wait == null ? NoticeBoards.DEFAULT_WAIT.toSeconds() : number("wait", wait);
        } catch (InvalidBoardRequestException e) {
            Problem.invalid(e.field(), e.getMessage()).write(response);
            return;
        }
        var permit = streams.open(request);
        if (permit.isEmpty()) {
            streams.refuse(response);
            return;
        }
        var base = urls.of(request.getContextPath(), "/api/");
        var async = request.startAsync();
        // the watch ends by itself (at most 300 s plus its jitter); this is a backstop
        async.setTimeout(Duration.ofSeconds(Math.min(waitSeconds, NoticeBoards.MAX_WAIT.toSeconds()) + 60).toMillis());
        var done = new AtomicBoolean();
        async.addListener(new Backstop(done, permit.get()));
        // the node stops: answered now with what the board holds, so that the client's next poll goes elsewhere
        permit.get().whenDraining(() -> answers.execute(() -> {
            try {
                answer(async, done, name, base, wait, boards.current(name).orElse(null), null);
            } catch (RuntimeException e) {
                answer(async, done, name, base, wait, null, e);
            }
        }));
        try {
            boards.watch(name, after, request.getParameter("epoch"), Duration.ofSeconds(waitSeconds))
                    .whenCompleteAsync((outcome, failure) -> answer(async, done, name, base, wait,
                            outcome == null ? null : outcome.board(), outcome != null && outcome.changed() && outcome.board() == null
                                    ? new BoardGoneException(name) : failure), answers);
        } catch (RuntimeException e) {
            answer(async, done, name, base, wait, null, e);
        }
    }

    private void answer(AsyncContext async, AtomicBoolean done, String name, String base, String wait, Board board,
                        Throwable failure) {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        var response = (HttpServletResponse) async.getResponse();
        try {
            if (failure == null) {
                var bytes = bytes(name, board, base, wait);
                // a buffer the size of the answer: off the container's own threads, every answer gets a
                // newly allocated buffer of the default size (kilobytes) otherwise, for a 200-byte answer
                response.setBufferSize(bytes.length);
                response.setStatus(200);
                response.setContentType("application/json");
                response.setHeader("Cache-Control", "no-store");
                if (board != null) {
                    response.setHeader("ETag", BoardETags.header(board));
                }
                response.setContentLength(bytes.length);
                response.getOutputStream().write(bytes);
                response.flushBuffer(); // on the wire now; the request is completed after the other answers
            } else {
                var cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                if (cause instanceof InvalidBoardRequestException invalid) {
                    Problem.invalid(invalid.field(), invalid.getMessage()).write(response);
                } else if (cause instanceof BoardGoneException gone) {
                    Problem.of(Response.Status.NOT_FOUND, gone.getMessage()).write(response);
                } else if (!Unavailable.write(cause, response)) {
                    ProblemMappers.Unexpected.problem(cause).write(response);
                }
            }
        } catch (IOException | RuntimeException gone) {
            // the client left; nothing to answer
        } finally {
            try {
                answers.execute(() -> complete(async));
            } catch (RejectedExecutionException undeploying) {
                complete(async);
            }
        }
    }

    private static void complete(AsyncContext async) {
        try {
            async.complete();
        } catch (IllegalStateException alreadyOver) {
            // completed by the container (the client left)
        }
    }

    /** The answer's bytes, made once per board revision, base URL and wait. */
    static byte[] bytes(String name, Board board, String base, String wait) {
        var last = LAST.get();
        if (last != null && last.board() == board && last.name().equals(name) && last.base().equals(base)
                && Objects.equals(last.waitParam(), wait) && board != null) {
            return last.bytes();
        }
        var bytes = BoardJson.withNext(name, board, UriBuilder.fromUri(base), wait).toString().getBytes(StandardCharsets.UTF_8);
        LAST.set(new Answer(board, name, base, wait, bytes));
        return bytes;
    }

    /** The watched board was deleted or expired while the poll waited: answered 404. */
    private static final class BoardGoneException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BoardGoneException(String board) {
            super("Board " + board + " was deleted or has expired.", null, false, false);
        }
    }

    private static long number(String field, String text) {
        return Inputs.wholeNumber(field, text, InvalidBoardRequestException::new);
    }

    /**
     * Should the container end the request first (timeout, client gone), the answer is not written.
     * However the request ends, it no longer counts among the client's open ones.
     */
    private record Backstop(AtomicBoolean done, OpenStreams.Permit permit) implements AsyncListener {
        @Override
        public void onComplete(AsyncEvent event) {
            done.set(true);
            permit.close();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            if (done.compareAndSet(false, true)) {
                event.getAsyncContext().complete();
            }
            permit.close();
        }

        @Override
        public void onError(AsyncEvent event) {
            done.set(true);
            permit.close();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }
}
