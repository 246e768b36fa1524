package org.switchboard.chat.control;

import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.time.LocalDateTime;
import org.switchboard.chat.entity.ChatMessage;

/** A message as JSON text, for the Redis channel. */
public final class MessageCodec {

    private static final JsonProvider JSON = JsonProvider.provider();

    private MessageCodec() {
    }

    public static String encode(ChatMessage m) {
        return JSON.createObjectBuilder()
                .add("room", m.room()).add("seq", m.seq()).add("author", m.author()).add("text", m.text())
                .add("postedAt", m.postedAt().toString())
                .build().toString();
    }

    public static ChatMessage decode(String text) {
        try (var reader = JSON.createReader(new StringReader(text))) {
            var o = reader.readObject();
            return new ChatMessage(o.getString("room"), o.getJsonNumber("seq").longValueExact(), o.getString("author"),
                    o.getString("text"), LocalDateTime.parse(o.getString("postedAt")));
        }
    }
}
