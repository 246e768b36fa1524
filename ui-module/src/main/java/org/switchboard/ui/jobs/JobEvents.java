package org.switchboard.ui.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.spi.JsonProvider;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import org.switchboard.jobs.boundary.JobQueues;
import org.switchboard.jobs.entity.JobEvent;
import org.switchboard.ui.api.OpenStreams;

/**
 * A queue's job events as server-sent events, from its event stream in Redis, so every node's jobs
 * show: each event named by its kind, its id where it is in the stream (Last-Event-ID resumes after
 * it). A client that comes back after events it missed were trimmed gets a {@code gap} event first:
 * it should read the state again. Each read waits on Redis without a thread; a comment every 15 s
 * keeps proxies from closing the stream and finds clients that left.
 */
@ApplicationScoped
public class JobEvents {

    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    private static final JsonProvider JSON = JsonProvider.provider();

    @Inject
    JobQueues jobs;

    /** From the event after {@code after} ({@code null}: from now on); the permit is closed with the stream. */
    void stream(String queue, String after, SseEventSink sink, Sse sse, OpenStreams.Permit permit) {
        var lost = after != null && jobs.eventsLost(queue, after); // refuses a malformed id before the stream opens
        var stream = new Stream(queue, sink, sse, permit);
        permit.whenDraining(() -> sink.send(sse.newEventBuilder().reconnectDelay(1000).comment("this node is stopping").build())
                .whenComplete((v, failure) -> stream.close()));
        if (lost) {
            var gap = sse.newEventBuilder().name("gap").mediaType(MediaType.APPLICATION_JSON_TYPE)
                    .data(String.class, JSON.createObjectBuilder().add("queue", queue).add("after", after)
                            .add("message", "some events after this one were trimmed; read the state again").build().toString()).build();
            sink.send(gap).whenComplete((v, failure) -> next(after, stream, failure));
        } else {
            next(after, stream, null);
        }
    }

    private record Stream(String queue, SseEventSink sink, Sse sse, OpenStreams.Permit permit) {
        boolean isClosed() {
            if (sink.isClosed()) {
                permit.close();
                return true;
            }
            return false;
        }

        void close() {
            permit.close();
            try {
                sink.close();
            } catch (IOException e) {
                // the client is gone already
            }
        }
    }

    private void next(String after, Stream stream, Throwable sendFailure) {
        if (sendFailure != null) {
            stream.close();
            return;
        }
        if (stream.isClosed()) {
            return;
        }
        jobs.events(stream.queue(), after, KEEP_ALIVE).whenComplete((events, failure) -> {
            if (failure != null) {
                stream.close();
            } else if (events.isEmpty()) {
                stream.sink().send(stream.sse().newEventBuilder().comment("keep-alive").build())
                        .whenComplete((v, f) -> next(after, stream, f));
            } else {
                send(events, 0, stream);
            }
        });
    }

    /** The events from {@code index} on, one after the other, then the next read after the last. */
    private void send(List<JobEvent> events, int index, Stream stream) {
        if (index == events.size()) {
            next(events.getLast().id(), stream, null);
            return;
        }
        var e = events.get(index);
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
        var event = stream.sse().newEventBuilder().name(e.event()).id(e.id()).mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(String.class, data.build().toString()).build();
        stream.sink().send(event).whenComplete((v, failure) -> {
            if (failure != null) {
                stream.close();
            } else {
                send(events, index + 1, stream);
            }
        });
    }
}
