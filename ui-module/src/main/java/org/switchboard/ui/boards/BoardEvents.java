package org.switchboard.ui.boards;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Duration;
import org.switchboard.noticeboard.boundary.NoticeBoards;
import org.switchboard.noticeboard.entity.Board;
import org.switchboard.ui.api.OpenStreams;

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

    /**
     * {@code after} is the last revision the client has, or -1 for "start with the current value".
     * The permit is closed with the stream.
     */
    void stream(String board, long after, SseEventSink sink, Sse sse, OpenStreams.Permit permit) {
        // the node stops: the client reconnects (from the last revision it got) in a second, through the balancer
        stream(board, after, new OpenStreams.EventClient(sink, sse, permit, () -> { }));
    }

    private void stream(String board, long after, OpenStreams.EventClient stream) {
        if (after < 0) {
            var current = boards.current(board);
            if (current.isPresent()) {
                send(board, current.get(), stream);
                return;
            }
            after = 0;
        }
        next(board, after, null, stream);
    }

    private void next(String board, long after, String epoch, OpenStreams.EventClient stream) {
        if (stream.isClosed()) {
            return;
        }
        boards.watch(board, after, epoch, KEEP_ALIVE).whenComplete((outcome, failure) -> {
            if (failure != null) {
                stream.close();
            } else if (outcome.changed() && outcome.board() != null) {
                send(board, outcome.board(), stream);
            } else if (outcome.changed()) {
                // the board is gone (deleted or expired): say so, then wait for its new first value
                var gone = stream.sse().newEventBuilder().name("deleted").id("0").mediaType(MediaType.APPLICATION_JSON_TYPE)
                        .data(String.class, "{\"board\":" + BoardJson.quoted(board) + "}").build();
                stream.sink().send(gone).whenComplete((v, sendFailure) -> {
                    if (sendFailure == null) {
                        next(board, 0, null, stream);
                    } else {
                        stream.close();
                    }
                });
            } else {
                stream.sink().send(stream.sse().newEventBuilder().comment("keep-alive").build()).whenComplete((v, sendFailure) -> {
                    if (sendFailure == null) {
                        next(board, after, epoch, stream);
                    } else {
                        stream.close();
                    }
                });
            }
        });
    }

    private void send(String board, Board state, OpenStreams.EventClient stream) {
        var event = stream.sse().newEventBuilder()
                .id(String.valueOf(state.revision()))
                .mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(String.class, BoardJson.of(state).toString())
                .build();
        stream.sink().send(event).whenComplete((v, failure) -> {
            if (failure == null) {
                next(board, state.revision(), state.epoch(), stream);
            } else {
                stream.close();
            }
        });
    }
}
