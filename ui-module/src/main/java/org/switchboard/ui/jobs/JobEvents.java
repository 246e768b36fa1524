package org.switchboard.ui.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.spi.JsonProvider;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.StringReader;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.switchboard.jobs.boundary.InvalidJobRequestException;
import org.switchboard.jobs.boundary.JobQueues;
import org.switchboard.jobs.entity.JobEvent;
import org.switchboard.ui.api.OpenStreams;

/**
 * Queues' job events as server-sent events, from their event streams in Redis, so every node's jobs
 * show: each event named by its kind. One queue's events have their place in its stream as id; the
 * events of several queues on one stream (a browser holds few connections to a server, so a page
 * follows all its queues on one) have every queue's place as id, {@code <queue>=<place>;...}.
 * Last-Event-ID resumes after either. A client that comes back after events it missed were trimmed
 * gets a {@code gap} event first: it should read the state again. Each queue is read on its own, each
 * read waiting on Redis without a thread; a comment every 15 s keeps proxies from closing the stream
 * and finds clients that left.
 */
@ApplicationScoped
public class JobEvents {

    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    /** How many events may wait for a client before its queues' reads wait for it. */
    static final int BACKLOG = 200;
    private static final JsonProvider JSON = JsonProvider.provider();

    @Inject
    JobQueues jobs;

    /**
     * Where a client resumes, by queue, from its Last-Event-ID: one queue's place, or each queue's
     * ({@code <queue>=<place>;...}); a queue not named starts from now on. Refuses a malformed one.
     */
    static Map<String, String> places(List<String> queues, String lastEventId) {
        var out = new LinkedHashMap<String, String>();
        queues.forEach(JobQueues::checkQueue);
        if (lastEventId == null || lastEventId.isBlank()) {
            return out;
        }
        if (!lastEventId.contains("=")) {
            if (queues.size() != 1) {
                throw new InvalidJobRequestException("Last-Event-ID", "the events of several queues resume from every queue's place, as their ids give it");
            }
            JobQueues.checkEventId(lastEventId.strip());
            out.put(queues.getFirst(), lastEventId.strip());
            return out;
        }
        for (var part : lastEventId.strip().split(";")) {
            var eq = part.indexOf('=');
            var queue = eq < 0 ? "" : part.substring(0, eq);
            if (eq < 0 || !queues.contains(queue)) {
                throw new InvalidJobRequestException("Last-Event-ID", "each part is <queue>=<place> of a queue this stream follows");
            }
            JobQueues.checkEventId(part.substring(eq + 1));
            out.put(queue, part.substring(eq + 1));
        }
        return out;
    }

    /** The events of {@code queues} after {@code places} (see {@link #places}); the permit is closed with the stream. */
    void stream(List<String> queues, Map<String, String> places, SseEventSink sink, Sse sse, OpenStreams.Permit permit) {
        var lost = places.entrySet().stream().filter(p -> jobs.eventsLost(p.getKey(), p.getValue())).map(Map.Entry::getKey).toList();
        var stream = new Stream(queues, new ConcurrentHashMap<>(places), sink, sse, permit);
        for (var queue : lost) {
            stream.ready.add(sse.newEventBuilder().name("gap").mediaType(MediaType.APPLICATION_JSON_TYPE)
                    .data(String.class, JSON.createObjectBuilder().add("queue", queue).add("after", places.get(queue))
                            .add("message", "some events after this one were trimmed; read the state again").build().toString()).build());
        }
        stream.drain();
        queues.forEach(queue -> stream.read(queue, places.get(queue)));
    }

    /** One client's stream: where its events go, what waits to be sent, and each queue's place in what was sent. */
    private final class Stream {
        final List<String> queues;
        final Map<String, String> sent;
        final SseEventSink sink;
        final Sse sse;
        final OpenStreams.EventClient client;
        final ConcurrentLinkedQueue<Object> ready = new ConcurrentLinkedQueue<>();
        final AtomicBoolean sending = new AtomicBoolean();

        Stream(List<String> queues, Map<String, String> sent, SseEventSink sink, Sse sse, OpenStreams.Permit permit) {
            this.queues = queues;
            this.sent = sent;
            this.sink = sink;
            this.sse = sse;
            // a read waiting on Redis holds a connection until it ends
            this.client = new OpenStreams.EventClient(sink, sse, permit, () -> reads.forEach(read -> read.cancel(true)));
        }

        boolean isClosed() {
            return client.isClosed();
        }

        void close() {
            client.close();
        }

        /**
         * The queue's next events after {@code after}, into the line to send. The read after them waits
         * until the line is short again ({@link #BACKLOG}): a client that reads slowly holds back the
         * reads, not this node's memory.
         */
        void read(String queue, String after) {
            if (isClosed()) {
                return;
            }
            var reading = jobs.events(queue, after, KEEP_ALIVE);
            reads.add(reading);
            reading.whenComplete((events, failure) -> {
                reads.remove(reading);
                if (failure != null) {
                    close();
                    return;
                }
                if (events.isEmpty()) {
                    ready.add(sse.newEventBuilder().comment("keep-alive").build());
                } else {
                    ready.addAll(events);
                }
                var next = events.isEmpty() ? after : events.getLast().id();
                held.add(() -> read(queue, next));
                drain();
            });
        }

        /** The reads under way, one per queue at most. */
        final java.util.Set<java.util.concurrent.CompletableFuture<?>> reads = ConcurrentHashMap.newKeySet();

        /** The reads that wait for the line to be short again. */
        final ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();

        private void resume() {
            if (ready.size() < BACKLOG) {
                for (Runnable r; (r = held.poll()) != null; ) {
                    r.run();
                }
            }
        }

        /**
         * Sends what waits, one at a time and in order (a sink takes one send at a time), in a loop for
         * the sends that complete at once, so that a long line does not deepen the stack.
         */
        void drain() {
            while (sending.compareAndSet(false, true)) {
                var next = ready.poll();
                if (next == null) {
                    sending.set(false);
                    resume();
                    if (ready.isEmpty()) {
                        return;
                    }
                    continue; // added meanwhile
                }
                var sent = sink.send(next instanceof JobEvent e ? event(e) : (OutboundSseEvent) next).toCompletableFuture();
                if (!sent.isDone()) {
                    sent.whenComplete((v, failure) -> {
                        sending.set(false);
                        if (failure != null) {
                            close();
                        } else {
                            resume();
                            drain();
                        }
                    });
                    return;
                }
                sending.set(false);
                if (sent.isCompletedExceptionally()) {
                    close();
                    return;
                }
                resume();
            }
        }

        private OutboundSseEvent event(JobEvent e) {
            sent.put(e.queue(), e.id());
            var id = queues.size() == 1 ? e.id()
                    : queues.stream().filter(sent::containsKey).map(q -> q + "=" + sent.get(q)).collect(Collectors.joining(";"));
            var data = JSON.createObjectBuilder().add("event", e.event()).add("job", e.job()).add("queue", e.queue()).add("at", e.at().toString());
            if (e.attempt() != null) {
                data.add("attempt", e.attempt());
            }
            if (e.detail() != null) {
                switch (e.event()) {
                    case "progress" -> {
                        try (var reader = JSON.createReader(new StringReader(e.detail()))) {
                            data.add("progress", reader.readValue());
                        }
                    }
                    case "enqueued" -> data.add("state", e.detail());
                    default -> data.add("error", e.detail());
                }
            }
            return sse.newEventBuilder().name(e.event()).id(id).mediaType(MediaType.APPLICATION_JSON_TYPE).data(String.class, data.build().toString()).build();
        }
    }
}
