package org.switchboard.ui.chat;

import jakarta.inject.Inject;
import jakarta.json.spi.JsonProvider;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.switchboard.chat.boundary.ChatRooms;
import org.switchboard.chat.boundary.InvalidChatRequestException;
import org.switchboard.chat.boundary.Follower;
import org.switchboard.chat.entity.ChatMessage;
import org.switchboard.ui.api.OpenStreams;
import org.switchboard.ui.api.Problem;
import org.switchboard.ui.metrics.HttpMetrics;
import org.switchboard.ui.api.Unavailable;

/**
 * A room as server-sent events, {@code GET /api/chat/rooms/{room}/events}: the history after
 * {@code after} (or {@code Last-Event-ID}), then live messages, each one event whose id is its
 * sequence number, so the browser's own reconnection resumes right after the last one it got. With
 * {@code name}, the connection counts as present.
 *
 * <p>Served here on the Servlet API rather than by JAX-RS: an asynchronous response written by the
 * reader's own virtual thread, with every message it has waiting sent in one write and one flush.
 * JAX-RS's event sink writes and flushes each event on its own, which on this two-core machine held a
 * node to some 20,000 events per second. Each message's bytes are made once for all its readers. A
 * comment every 15 s keeps proxies from closing the stream and finds clients that left.
 */
@WebFilter(urlPatterns = "/api/chat/rooms/*", asyncSupported = true)
public class ChatStreamFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;

    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    /**
     * A present reader's stream is pinged more often: the container does not say when a client goes,
     * the second write after it has gone fails, and only then does its name leave the room's presence.
     */
    static final Duration PRESENT_KEEP_ALIVE = Duration.ofSeconds(3);
    private static final Pattern EVENTS = Pattern.compile("/api/chat/rooms/([^/]*)/events");
    private static final byte[] PING = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RECONNECT = "retry: 1000\n: this node is stopping\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final JsonProvider JSON = JsonProvider.provider();
    private static final System.Logger LOG = System.getLogger(ChatStreamFilter.class.getName());

    /** The bytes of each recent message, made once for all its readers: a small table overwritten as messages go by. */
    private static final AtomicReferenceArray<Frame> FRAMES = new AtomicReferenceArray<>(1024);

    @Inject
    transient ChatRooms chat;

    @Inject
    transient OpenStreams streams;

    private transient ScheduledExecutorService keepAlive;

    private record Frame(String room, long seq, byte[] bytes) {
    }

    @Override
    public void init() {
        keepAlive = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("chat-keep-alive").factory());
    }

    @Override
    public void destroy() {
        keepAlive.shutdownNow();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        var matcher = EVENTS.matcher(request.getRequestURI().substring(request.getContextPath().length()));
        if (!matcher.matches() || !"GET".equals(request.getMethod())) {
            chain.doFilter(request, response);
            return;
        }
        request.setAttribute(HttpMetrics.ROUTE, "/api/chat/rooms/{room}/events");
        var room = matcher.group(1);
        long from;
        String name;
        try {
            ChatRooms.checkRoom(room);
            var lastEventId = request.getHeader("Last-Event-ID");
            var after = request.getParameter("after");
            if (lastEventId != null && !lastEventId.isBlank()) {
                from = ChatResource.number("Last-Event-ID", lastEventId); // a reconnection: where the client got to
            } else {
                from = after == null ? 0 : ChatResource.number("after", after);
            }
            var given = request.getParameter("name");
            name = given == null || given.isBlank() ? null : ChatRooms.presenceName(given);
        } catch (InvalidChatRequestException e) {
            Problem.invalid(e.field(), e.getMessage()).write(response);
            return;
        }
        var permit = streams.open(request);
        if (permit.isEmpty()) {
            streams.refuse(response);
            return;
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/event-stream;charset=UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no"); // nginx: do not buffer the stream
        var async = request.startAsync();
        async.setTimeout(0);
        var connection = new Connection(async, response.getOutputStream(), permit.get());
        async.addListener(connection);
        try {
            connection.following.set(chat.follow(room, from, name, connection));
        } catch (RuntimeException e) {
            if (!Unavailable.write(e, response)) {
                LOG.log(System.Logger.Level.WARNING, "A chat stream could not start", e);
            }
            connection.finish();
            return;
        }
        connection.write(new byte[] {':', '\n', '\n'}); // sends the headers now
        var every = (name == null ? KEEP_ALIVE : PRESENT_KEEP_ALIVE).toMillis();
        connection.ping = keepAlive.scheduleWithFixedDelay(connection::ping, every, every, TimeUnit.MILLISECONDS);
        // the node stops: the browser reconnects (from the last id it got) in a second, through the balancer
        connection.permit.whenDraining(() -> Thread.ofVirtual().name("chat-drain").start(() -> {
            connection.write(RECONNECT);
            connection.finish();
        }));
    }

    static byte[] frame(ChatMessage message) {
        var slot = (int) ((message.room().hashCode() * 31L + message.seq()) & (FRAMES.length() - 1));
        var cached = FRAMES.get(slot);
        if (cached != null && cached.seq() == message.seq() && cached.room().equals(message.room())) {
            return cached.bytes();
        }
        // JSON text has no raw line breaks, so the data fits on one "data:" line
        var bytes = ("id: " + message.seq() + "\ndata: " + ChatJson.of(message) + "\n\n").getBytes(StandardCharsets.UTF_8);
        FRAMES.set(slot, new Frame(message.room(), message.seq(), bytes));
        return bytes;
    }

    /** One open stream. Deliveries come from the reader's thread, pings from the keep-alive thread: one lock orders them. */
    private static final class Connection implements Follower, AsyncListener {
        final AsyncContext async;
        final ServletOutputStream out;
        final OpenStreams.Permit permit;
        final ReentrantLock writing = new ReentrantLock();
        final AtomicReference<AutoCloseable> following = new AtomicReference<>();
        final AtomicBoolean pinging = new AtomicBoolean();
        volatile ScheduledFuture<?> ping;
        volatile boolean finished;

        Connection(AsyncContext async, ServletOutputStream out, OpenStreams.Permit permit) {
            this.async = async;
            this.out = out;
            this.permit = permit;
        }

        @Override
        public void deliver(List<ChatMessage> messages) throws IOException {
            var batch = new ByteArrayOutputStream(messages.size() * 256);
            for (var message : messages) {
                batch.writeBytes(frame(message));
            }
            writeOrThrow(batch.toByteArray());
        }

        @Override
        public void ended(Throwable cause) {
            finish();
        }

        /**
         * A write blocks while the client reads nothing: each ping is written on its own virtual
         * thread, so that one stalled client holds up no other stream's pings, and a stream whose
         * last ping is still being written gets no other.
         */
        void ping() {
            if (pinging.compareAndSet(false, true)) {
                Thread.ofVirtual().name("chat-ping").start(() -> {
                    try {
                        write(PING);
                    } finally {
                        pinging.set(false);
                    }
                });
            }
        }

        void write(byte[] bytes) {
            try {
                writeOrThrow(bytes);
            } catch (IOException | RuntimeException gone) {
                finish();
            }
        }

        private void writeOrThrow(byte[] bytes) throws IOException {
            if (finished) {
                throw new IOException("the stream is closed");
            }
            writing.lock();
            try {
                out.write(bytes);
                out.flush();
            } finally {
                writing.unlock();
            }
        }

        void finish() {
            if (finished) {
                return;
            }
            finished = true;
            permit.close();
            var ticket = ping;
            if (ticket != null) {
                ticket.cancel(false);
            }
            var f = following.getAndSet(null);
            if (f != null) {
                try {
                    f.close();
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.DEBUG, "Closing a chat stream failed", e);
                }
            }
            try {
                async.complete();
            } catch (IllegalStateException alreadyDone) {
                // completed by the container
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
            finish();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            finish();
        }

        @Override
        public void onError(AsyncEvent event) {
            finish();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // not restarted
        }
    }
}
