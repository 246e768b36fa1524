package org.switchboard.ui.api;

import jakarta.json.JsonConfig;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParserFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Reading request input the same way on every endpoint. Each module refuses bad input with its own
 * exception (field, message), mapped to a 400 problem: the caller passes its constructor.
 */
public final class Inputs {

    private static final JsonProvider JSON = JsonProvider.provider();
    private static final JsonParserFactory PARSERS = JSON.createParserFactory(Map.of());
    private static final JsonReaderFactory NO_KEY_TWICE = JSON.createReaderFactory(Map.of(JsonConfig.KEY_STRATEGY, JsonConfig.KeyStrategy.NONE));

    private Inputs() {
    }

    /**
     * Exactly one JSON value, nothing after it, and no object that names a key twice (readers differ
     * on which copy wins, so a body that means two things is refused). Throws the parser's exception
     * otherwise (a {@code JsonException}, or a plain {@code RuntimeException} past its nesting limit).
     */
    public static JsonValue strictJson(String text) {
        try (var parser = PARSERS.createParser(new StringReader(text))) {
            parser.getValueStream().count(); // refuses text after the value
        }
        try (var reader = NO_KEY_TWICE.createReader(new StringReader(text))) {
            return reader.readValue(); // refuses a key given twice
        }
    }

    /** A whole number, 0 or more, from a query parameter or header. */
    public static long wholeNumber(String field, String text, BiFunction<String, String, ? extends RuntimeException> invalid) {
        try {
            var n = Long.parseLong(text.strip());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw invalid.apply(field, field + " must be a whole number, 0 or more");
        }
    }

    /**
     * The body as strict UTF-8 text, reading at most {@code maxBytes} + 1 bytes: a larger body is
     * refused ({@code tooLarge}) without being buffered whole.
     */
    public static String utf8(InputStream body, int maxBytes, String field, String what, String tooLarge,
                              BiFunction<String, String, ? extends RuntimeException> invalid) {
        try (body) {
            var bytes = body.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw invalid.apply(field, tooLarge);
            }
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw invalid.apply(field, "the " + what + " is not UTF-8 text");
        } catch (IOException e) {
            throw invalid.apply(field, "the " + what + " could not be read");
        }
    }
}
