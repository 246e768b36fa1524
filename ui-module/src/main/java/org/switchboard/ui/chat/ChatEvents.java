package org.switchboard.ui.chat;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.switchboard.chat.boundary.ChatRooms;
import org.switchboard.chat.control.Follower;
import org.switchboard.chat.entity.ChatMessage;

/**
 * A room as server-sent events: each message is one event whose id is its sequence number, so the
 * browser's automatic reconnection (Last-Event-ID) resumes exactly after the last one it got. A
 * comment every 15 s keeps proxies from closing the stream and finds clients that left, which ends
 * their presence.
 */
@ApplicationScoped
public class ChatEvents {

    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    /** A client that cannot take one event in this time is dropped; it reconnects and resumes. */
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    private static final System.Logger LOG = System.getLogger(ChatEvents.class.getName());

    @Inject
    ChatRooms chat;

    private final ScheduledExecutorService keepAlive =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("chat-keep-alive").factory());

    void stream(String room, long after, String name, SseEventSink sink, Sse sse) {
        var connection = new Connection(sink, sse);
        connection.following.set(chat.follow(room, after, name, connection));
        connection.ping = keepAlive.scheduleWithFixedDelay(connection::ping,
                KEEP_ALIVE.toMillis(), KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void close() {
        keepAlive.shutdownNow();
    }

    private static final class Connection implements Follower {
        final SseEventSink sink;
        final Sse sse;
        final AtomicReference<AutoCloseable> following = new AtomicReference<>();
        volatile ScheduledFuture<?> ping;

        Connection(SseEventSink sink, Sse sse) {
            this.sink = sink;
            this.sse = sse;
        }

        @Override
        public void deliver(ChatMessage message) throws Exception {
            var event = sse.newEventBuilder()
                    .id(String.valueOf(message.seq()))
                    .mediaType(MediaType.APPLICATION_JSON_TYPE)
                    .data(String.class, ChatJson.of(message).toString())
                    .build();
            sink.send(event).toCompletableFuture().get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void ended(Throwable cause) {
            finish();
        }

        void ping() {
            if (sink.isClosed()) {
                finish();
                return;
            }
            sink.send(sse.newEventBuilder().comment("keep-alive").build()).whenComplete((ok, failure) -> {
                if (failure != null) {
                    finish();
                }
            });
        }

        private void finish() {
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
                sink.close();
            } catch (java.io.IOException e) {
                // the client is gone already
            }
        }
    }
}
