package org.switchboard.ui.boards;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.core.UriBuilder;
import java.io.StringReader;
import org.switchboard.noticeboard.entity.Board;

/** The JSON shape of a board in the API: {@code {"board","revision","epoch","value","postedAt"[,"next"]}}. */
final class BoardJson {

    private BoardJson() {
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
                ? Json.createObjectBuilder().add("board", name).add("revision", 0)
                        .add("epoch", JsonValue.NULL).add("value", JsonValue.NULL).add("postedAt", JsonValue.NULL)
                : builder(board);
        return builder.add("next", next.build().toString()).build();
    }

    private static jakarta.json.JsonObjectBuilder builder(Board board) {
        try (var reader = Json.createReader(new StringReader(board.value()))) {
            return Json.createObjectBuilder()
                    .add("board", board.name())
                    .add("revision", board.revision())
                    .add("epoch", board.epoch())
                    .add("value", reader.readValue())
                    .add("postedAt", board.postedAt().toString());
        }
    }
}
