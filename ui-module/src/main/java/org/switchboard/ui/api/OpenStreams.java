package org.switchboard.ui.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The requests a client holds open on this node: chat and board event streams and board long polls.
 * Each holds a connection, a watch and some memory for as long as the client likes, so one client
 * could hold thousands and crowd out everyone else. Past {@code switchboard.streams.per-client} (per
 * client address, see {@link ClientAddress}) a new one is refused with 429 and {@code Retry-After}.
 * Each node counts its own.
 */
@ApplicationScoped
public class OpenStreams {

    /** Seconds a refused client is asked to wait: by then one of its streams has likely ended. */
    static final int RETRY_AFTER_SECONDS = 5;
    private static final System.Logger LOG = System.getLogger(OpenStreams.class.getName());

    @Inject
    ClientAddress clients;

    @Inject
    @ConfigProperty(name = "switchboard.streams.per-client", defaultValue = "100")
    int perClient;

    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();
    private final Set<Permit> live = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    /**
     * One client's server-sent event stream (boards, jobs): where its events go, and its place among
     * the client's open streams, closed with it. As the node stops, the client is told to reconnect
     * in a second (through the balancer, to another node) and the stream is closed. That is an
     * event, not a comment: the JAX-RS runtime writes the reconnection delay only with an event's data.
     */
    public static final class EventClient {
        private final SseEventSink sink;
        private final Sse sse;
        private final Permit permit;
        private final Runnable onClose;

        /** {@code onClose}: what else ends with the stream (reads waiting for its next events). */
        public EventClient(SseEventSink sink, Sse sse, Permit permit, Runnable onClose) {
            this.sink = sink;
            this.sse = sse;
            this.permit = permit;
            this.onClose = onClose;
            permit.whenDraining(() -> sink.send(sse.newEventBuilder().name("stopping").reconnectDelay(1000)
                    .data(String.class, "this node is stopping; reconnect").build()).whenComplete((v, failure) -> close()));
        }

        public SseEventSink sink() {
            return sink;
        }

        public Sse sse() {
            return sse;
        }

        /** Whether the client left (its permit is closed then). */
        public boolean isClosed() {
            if (sink.isClosed()) {
                permit.close();
                return true;
            }
            return false;
        }

        public void close() {
            permit.close();
            onClose.run();
            try {
                sink.close();
            } catch (IOException e) {
                // the client is gone already
            }
        }
    }

    /** One open stream, counted until {@link #close()}; closing twice counts once. */
    public final class Permit implements AutoCloseable {
        private final String client;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final AtomicReference<Runnable> onDrain = new AtomicReference<>();

        private Permit(String client) {
            this.client = client;
        }

        /**
         * What the stream does when the node stops ({@link #drain()}): an event stream tells its
         * client to reconnect and ends, a long poll answers at once. Run now if the node is stopping
         * already; at most once either way.
         */
        public void whenDraining(Runnable action) {
            onDrain.set(action);
            if (draining) {
                drained();
            }
        }

        private void drained() {
            var action = onDrain.getAndSet(null);
            if (action != null && !closed.get()) {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, "A stream could not be ended for the stop", e);
                }
            }
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                live.remove(this);
                open.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
            }
        }
    }

    /** The node stops: every open stream ends as it said it would ({@link Permit#whenDraining}), and so does every new one. */
    public void drain() {
        draining = true;
        live.forEach(Permit::drained);
    }

    /** A permit for one more open stream of this request's client, or empty when it holds its share. */
    public Optional<Permit> open(HttpServletRequest request) {
        return open(clients.of(request));
    }

    Optional<Permit> open(String client) {
        var admitted = new AtomicBoolean();
        open.compute(client, (k, n) -> {
            var count = n == null ? 0 : n;
            if (count >= perClient) {
                return n;
            }
            admitted.set(true);
            return count + 1;
        });
        if (!admitted.get()) {
            return Optional.empty();
        }
        var permit = new Permit(client);
        live.add(permit);
        return Optional.of(permit);
    }

    /** The refusal, written by a filter. */
    public void refuse(HttpServletResponse response) throws IOException {
        response.setHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
        Problem.of(Response.Status.TOO_MANY_REQUESTS, refusal()).write(response);
    }

    /** The refusal, thrown by a resource: the API's mapper makes it the same problem. */
    public WebApplicationException refused() {
        return new WebApplicationException(refusal(), Response.status(Response.Status.TOO_MANY_REQUESTS)
                .header("Retry-After", String.valueOf(RETRY_AFTER_SECONDS)).build());
    }

    private String refusal() {
        return "This client holds " + perClient + " open streams and long polls on this node, the most it may;"
                + " close one, or try again later.";
    }
}
