package org.switchboard.ui.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.switchboard.ui.support.Api;
import org.switchboard.ui.support.ClientSideIT;
import org.switchboard.ui.support.Deployed;
import org.switchboard.ui.support.SseReader;

/** The chat API on the deployed WAR: posting with its limits, history, events, presence. */
class ChatIT extends ClientSideIT {
    String room;

    @BeforeEach
    void setUp() {
        room = "it-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aPostIsStoredNumberedAndFoundAtItsLocation() throws Exception {
        var text = "<script>alert('x')</script> & \"quoted\" 🎉";
        var posted = Api.postMessage(base, room, "{\"author\":\"ann\",\"text\":" + Api.jsonString(text) + "}");
        assertThat(posted.statusCode()).isEqualTo(201);
        var message = Api.json(posted.body());
        assertThat(message.getInt("seq")).isEqualTo(1);
        assertThat(message.getString("room")).isEqualTo(room);
        assertThat(message.getString("text")).as("stored and answered as sent").isEqualTo(text);
        var location = URI.create(posted.headers().firstValue("Location").orElseThrow());
        assertThat(location.getPath()).endsWith("/api/chat/rooms/" + room + "/messages/1");
        var found = Deployed.get(base.resolve(location.getPath().substring(location.getPath().indexOf("api/"))));
        assertThat(Api.json(found.body())).isEqualTo(message);

        var rooms = Deployed.get(base.resolve("api/chat/rooms")).body();
        assertThat(rooms).contains("{\"room\":\"" + room + "\",\"messages\":1,");
        assertThat(Deployed.get(base.resolve("api/chat/rooms/" + room + "/messages/2")).statusCode()).isEqualTo(404);
    }

    @Test
    void historyPagesForwardAndBackward() throws Exception {
        for (int i = 1; i <= 12; i++) {
            assertThat(Api.postMessage(base, room, "{\"author\":\"pager-" + (i % 2) + "\",\"text\":\"m" + i + "\"}").statusCode()).isEqualTo(201);
        }
        assertThat(seqs("api/chat/rooms/" + room + "/messages?after=3&limit=4")).containsExactly(4L, 5L, 6L, 7L);
        assertThat(seqs("api/chat/rooms/" + room + "/messages?before=4&limit=10")).containsExactly(1L, 2L, 3L);
        assertThat(seqs("api/chat/rooms/" + room + "/messages?before=13&limit=2")).containsExactly(11L, 12L);
        assertThat(seqs("api/chat/rooms/" + room + "/messages")).hasSize(12);
        assertThat(seqs("api/chat/rooms/" + room + "/messages?after=12")).isEmpty();
    }

    @Test
    void badInputIsRefusedWithProblemJsonAndNothingIsStored() throws Exception {
        var bodies = List.of("{", "not json", "[]", "{\"author\":\"a\"}", "{\"text\":\"t\"}", "{\"author\":1,\"text\":\"t\"}",
                "{\"author\":\"\",\"text\":\"t\"}", "{\"author\":\"a\",\"text\":\"\"}", "{\"author\":\"a\",\"text\":\"   \"}",
                "{\"author\":\"" + "a".repeat(65) + "\",\"text\":\"t\"}",
                "{\"author\":\"a\",\"text\":\"" + "x".repeat(4001) + "\"}",
                "{\"author\":\"a\",\"text\":\"nul \\u0000\"}",
                "{\"author\":\"a\",\"text\":\"lone \\ud800\"}",
                "{\"author\":\"a\",\"text\":\"" + "x".repeat(70_000) + "\"}",
                "[".repeat(30_000) + "]".repeat(30_000),
                "{\"author\":\"a\",\"text\":\"x\"} junk", // text after the object
                "{\"author\":\"a\",\"text\":\"x\",\"text\":\"y\"}"); // a key twice
        for (var body : bodies) {
            var response = Api.postMessage(base, room, body);
            assertThat(response.statusCode()).as(body.length() > 60 ? body.substring(0, 60) + "…" : body).isEqualTo(400);
            Api.assertProblem(response, 400);
        }
        var notUtf8 = Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve("api/chat/rooms/" + room + "/messages"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'})).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(notUtf8.statusCode()).isEqualTo(400);
        var badRoom = Api.postMessage(base, "bad*room", "{\"author\":\"a\",\"text\":\"t\"}");
        assertThat(badRoom.statusCode()).isEqualTo(400);
        Api.assertProblem(badRoom, 400);
        var longRoom = Api.postMessage(base, "r".repeat(65), "{\"author\":\"a\",\"text\":\"t\"}");
        assertThat(longRoom.statusCode()).isEqualTo(400);
        for (var query : List.of("?after=-1", "?after=x", "?limit=0", "?limit=abc", "?after=1&before=2")) {
            var response = Deployed.get(base.resolve("api/chat/rooms/" + room + "/messages" + query));
            assertThat(response.statusCode()).as(query).isEqualTo(400);
            Api.assertProblem(response, 400);
        }
        var noType = Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve("api/chat/rooms/" + room + "/messages"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"author\":\"a\",\"text\":\"t\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noType.statusCode()).isEqualTo(415);
        assertThat(seqs("api/chat/rooms/" + room + "/messages")).as("nothing stored").isEmpty();
        assertThat(Deployed.get(base.resolve("api/chat/rooms")).body()).doesNotContain(room);
    }

    @Test
    void aSenderOverTheRateGets429WithRetryAfterAndNothingIsStored() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertThat(Api.postMessage(base, room, "{\"author\":\"fast\",\"text\":\"m" + i + "\"}").statusCode()).isEqualTo(201);
        }
        var refused = Api.postMessage(base, room, "{\"author\":\"fast\",\"text\":\"too many\"}");
        assertThat(refused.statusCode()).isEqualTo(429);
        Api.assertProblem(refused, 429);
        assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isPositive());
        var body = "{\"author\":\"fast\",\"text\":\"still too many\"}";
        var raw = Api.raw(base, "POST " + base.getPath() + "api/chat/rooms/" + room + "/messages HTTP/1.1\r\nHost: " + base.getHost() + "\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        assertThat(raw.lines().findFirst()).as("the standard reason phrase").hasValue("HTTP/1.1 429 Too Many Requests");
        assertThat(seqs("api/chat/rooms/" + room + "/messages")).hasSize(20);
        assertThat(Api.postMessage(base, room, "{\"author\":\"slow\",\"text\":\"another author\"}").statusCode()).isEqualTo(201);
    }

    /**
     * The container does not say when a client leaves: a named reader's stream is pinged every few
     * seconds, so its name goes well before its presence lease (30 s) would run out.
     */
    @Test
    void aReadersNameLeavesThePresenceSoonAfterItsStreamCloses() throws Exception {
        var presence = base.resolve("api/chat/rooms/" + room + "/presence");
        var reader = new SseReader(base.resolve("api/chat/rooms/" + room + "/events?name=leaver"));
        assertThat(reader.status).isEqualTo(200);
        assertThat(Api.json(Deployed.get(presence).body()).getJsonArray("present").getString(0)).isEqualTo("leaver");
        reader.close();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(Api.json(Deployed.get(presence).body()).getJsonArray("present")).isEmpty());
    }

    @Test
    void eventsSendTheHistoryThenLiveMessagesAndResumeAfterLastEventId() throws Exception {
        for (int i = 1; i <= 3; i++) {
            Api.postMessage(base, room, "{\"author\":\"ann\",\"text\":\"m" + i + "\"}");
        }
        try (var reader = new SseReader(base.resolve("api/chat/rooms/" + room + "/events?after=1&name=zed"))) {
            assertThat(reader.status).isEqualTo(200);
            reader.awaitCount(2);
            Api.postMessage(base, room, "{\"author\":\"bob\",\"text\":\"live\"}");
            reader.awaitCount(3);
            assertThat(reader.seqs()).containsExactly(2L, 3L, 4L);
            assertThat(reader.events.getLast().json().getString("text")).isEqualTo("live");
            var present = Api.json(Deployed.get(base.resolve("api/chat/rooms/" + room + "/presence")).body());
            assertThat(present.getJsonArray("present").getString(0)).isEqualTo("zed");
        }
        Api.postMessage(base, room, "{\"author\":\"bob\",\"text\":\"while away\"}");
        try (var resumed = new SseReader(base.resolve("api/chat/rooms/" + room + "/events?after=0"), "Last-Event-ID", "4")) {
            resumed.awaitCount(1);
            Api.postMessage(base, room, "{\"author\":\"bob\",\"text\":\"after\"}");
            resumed.awaitCount(2);
            assertThat(resumed.seqs()).as("Last-Event-ID wins over 'after'").containsExactly(5L, 6L);
        }
        var bad = Deployed.get(base.resolve("api/chat/rooms/" + room + "/events"), "Accept", "text/event-stream", "Last-Event-ID", "abc");
        assertThat(bad.statusCode()).isEqualTo(400);
        Api.assertProblem(bad, 400);
        for (var query : List.of("bad*room/events", room + "/events?after=-2", room + "/events?name=" + "n".repeat(65))) {
            var refused = Deployed.get(base.resolve("api/chat/rooms/" + query), "Accept", "text/event-stream");
            assertThat(refused.statusCode()).as(query).isEqualTo(400);
            Api.assertProblem(refused, 400);
        }
    }

    @Test
    void manyPostersAndReadersOnOneRoomAllSeeOneGaplessOrder() throws Exception {
        int posters = 4;
        int each = 15;
        try (var early = new SseReader(base.resolve("api/chat/rooms/" + room + "/events"));
             var pool = Executors.newFixedThreadPool(posters)) {
            var futures = new ArrayList<Future<Integer>>();
            for (int p = 0; p < posters; p++) {
                var poster = p;
                futures.add(pool.submit(() -> {
                    int created = 0;
                    for (int i = 0; i < each; i++) {
                        created += Api.postMessage(base, room, "{\"author\":\"p" + poster + "\",\"text\":\"" + i + "\"}").statusCode() == 201 ? 1 : 0;
                    }
                    return created;
                }));
            }
            try (var late = new SseReader(base.resolve("api/chat/rooms/" + room + "/events"))) { // joins mid-stream
                int total = 0;
                for (var f : futures) {
                    total += f.get();
                }
                assertThat(total).isEqualTo(posters * each);
                var all = LongStream.rangeClosed(1, total).boxed().toList();
                await().atMost(Duration.ofSeconds(30)).until(() -> early.events.size() >= all.size() && late.events.size() >= all.size());
                assertThat(early.seqs()).containsExactlyElementsOf(all);
                assertThat(late.seqs()).containsExactlyElementsOf(all);
            }
        }
    }

    private List<Long> seqs(String path) {
        var response = Deployed.get(base.resolve(path));
        assertThat(response.statusCode()).isEqualTo(200);
        try (var reader = Json.createReader(new StringReader(response.body()))) {
            return reader.readArray().getValuesAs(JsonObject.class).stream().map(o -> o.getJsonNumber("seq").longValue()).toList();
        }
    }

}
