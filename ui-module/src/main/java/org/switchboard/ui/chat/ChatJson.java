package org.switchboard.ui.chat;

import jakarta.json.JsonObject;
import jakarta.json.spi.JsonProvider;
import java.time.ZoneOffset;
import org.switchboard.chat.entity.ChatMessage;

/** A chat message as JSON: {@code {"room","seq","author","text","postedAt"}}. */
final class ChatJson {

    private static final JsonProvider JSON = JsonProvider.provider();

    private ChatJson() {
    }

    static JsonObject of(ChatMessage m) {
        return JSON.createObjectBuilder()
                .add("room", m.room()).add("seq", m.seq()).add("author", m.author()).add("text", m.text())
                .add("postedAt", m.postedAt().toInstant(ZoneOffset.UTC).toString())
                .build();
    }
}
