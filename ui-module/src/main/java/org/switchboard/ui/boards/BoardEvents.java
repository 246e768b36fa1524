package org.switchboard.ui.boards;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.time.Duration;
import org.switchboard.noticeboard.boundary.NoticeBoards;
import org.switchboard.noticeboard.entity.Board;

/**
 * A board as server-sent events: the current value, then each new one, event id = revision. Each
 * step is a watch; nothing holds a thread between events. A comment every 15 s keeps proxies from
 * closing the stream and finds clients that left.
 */
@ApplicationScoped
public class BoardEvents {

    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    @Inject
    NoticeBoards boards;

    /** {@code after} is the last revision the client has, or -1 for "start with the current value". */
    void stream(String board, long after, SseEventSink sink, Sse sse) {
        if (after < 0) {
            var current = boards.current(board);
            if (current.isPresent()) {
                send(board, current.get(), sink, sse);
                return;
            }
            after = 0;
        }
        next(board, after, null, sink, sse);
    }

    private void next(String board, long after, String epoch, SseEventSink sink, Sse sse) {
        if (sink.isClosed()) {
            return;
        }
        boards.watch(board, after, epoch, KEEP_ALIVE).whenComplete((outcome, failure) -> {
            if (failure != null) {
                close(sink);
            } else if (outcome.changed() && outcome.board() != null) {
                send(board, outcome.board(), sink, sse);
            } else if (outcome.changed()) {
                next(board, 0, null, sink, sse); // the board is gone: wait for its new first value
            } else {
                sink.send(sse.newEventBuilder().comment("keep-alive").build()).whenComplete((v, sendFailure) -> {
                    if (sendFailure == null) {
                        next(board, after, epoch, sink, sse);
                    } else {
                        close(sink);
                    }
                });
            }
        });
    }

    private void send(String board, Board state, SseEventSink sink, Sse sse) {
        var event = sse.newEventBuilder()
                .id(String.valueOf(state.revision()))
                .mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(String.class, BoardJson.of(state).toString())
                .build();
        sink.send(event).whenComplete((v, failure) -> {
            if (failure == null) {
                next(board, state.revision(), state.epoch(), sink, sse);
            } else {
                close(sink);
            }
        });
    }

    private static void close(SseEventSink sink) {
        try {
            sink.close();
        } catch (IOException e) {
            // the client is gone already
        }
    }
}
