package org.switchboard.ui.boards;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.ws.rs.core.UriBuilder;
import java.io.StringReader;
import java.util.concurrent.atomic.AtomicReference;
import org.switchboard.noticeboard.entity.Board;

/** The JSON shape of a board in the API: {@code {"board","revision","epoch","value","postedAt"[,"next"]}}. */
final class BoardJson {

    /** Looked up once: {@code Json.createReader} would search the service loader on every call. */
    private static final JsonProvider JSON = JsonProvider.provider();

    /** The last value parsed: thousands of watchers of one board are answered with the same revision. */
    private static final AtomicReference<Parsed> LAST = new AtomicReference<>();

    private record Parsed(Board board, JsonValue value) {
    }

    private BoardJson() {
    }

    /** A board's name as a JSON string. */
    static String quoted(String name) {
        return JSON.createValue(name).toString();
    }

    static JsonObject of(Board board) {
        return builder(board).build();
    }

    /** With {@code next}: the URL to poll for the update after this one. {@code board} may be null (never posted). */
    static JsonObject withNext(String name, Board board, UriBuilder base, String wait) {
        var next = base.path("boards").path(name)
                .queryParam("after", board == null ? 0 : board.revision());
        if (board != null) {
            next.queryParam("epoch", board.epoch());
        }
        if (wait != null) {
            next.queryParam("wait", wait);
        }
        var builder = board == null
                ? JSON.createObjectBuilder().add("board", name).add("revision", 0)
                        .add("epoch", JsonValue.NULL).add("value", JsonValue.NULL).add("postedAt", JsonValue.NULL).add("expiresAt", JsonValue.NULL)
                : builder(board);
        return builder.add("next", next.build().toString()).build();
    }

    private static JsonObjectBuilder builder(Board board) {
        return JSON.createObjectBuilder()
                .add("board", board.name())
                .add("revision", board.revision())
                .add("epoch", board.epoch())
                .add("value", value(board))
                .add("postedAt", board.postedAt().toString())
                .add("expiresAt", board.expiresAt() == null ? JsonValue.NULL : JSON.createValue(board.expiresAt().toString()));
    }

    private static JsonValue value(Board board) {
        var last = LAST.get();
        if (last != null && last.board() == board) {
            return last.value();
        }
        try (var reader = JSON.createReader(new StringReader(board.value()))) {
            var value = reader.readValue();
            LAST.set(new Parsed(board, value));
            return value;
        }
    }
}
