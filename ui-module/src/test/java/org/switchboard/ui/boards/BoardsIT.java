package org.switchboard.ui.boards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.switchboard.ui.support.Api;
import org.switchboard.ui.support.ClientSideIT;
import org.switchboard.ui.support.Deployed;

/** The notice boards' HTTP API on the deployed WAR (two nodes: {@link TwoNodesIT}). */
class BoardsIT extends ClientSideIT {
    String board;

    @BeforeEach
    void setUp() {
        board = "it-" + UUID.randomUUID();
    }

    @Test
    void postReadAndLongPollWithNext() throws Exception {
        var posted = Api.putBoard(base, board, "{\"percent\":10}");
        assertThat(posted.statusCode()).isEqualTo(200);
        var first = Api.json(posted.body());
        assertThat(first.getInt("revision")).isEqualTo(1);
        assertThat(first.getJsonObject("value").getInt("percent")).isEqualTo(10);

        var current = Api.json(Deployed.get(base.resolve("api/boards/" + board)).body());
        assertThat(current.getString("epoch")).isEqualTo(first.getString("epoch"));

        var immediate = Api.json(Deployed.get(base.resolve("api/boards/" + board + "?after=0")).body());
        assertThat(immediate.getInt("revision")).isEqualTo(1);
        var next = base.resolve(immediate.getString("next"));
        assertThat(next.getQuery()).contains("after=1").contains("epoch=" + first.getString("epoch"));

        var waiting = Deployed.HTTP.sendAsync(HttpRequest.newBuilder(next).build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300);
        assertThat(waiting).as("nothing new: the poll waits").isNotDone();
        Api.putBoard(base, board, "{\"percent\":55}");
        var woken = Api.json(waiting.get(20, TimeUnit.SECONDS).body());
        assertThat(woken.getInt("revision")).isEqualTo(2);
        assertThat(woken.getJsonObject("value").getInt("percent")).isEqualTo(55);

        var timedOut = Deployed.get(base.resolve("api/boards/" + board + "?after=2&wait=1"));
        assertThat(timedOut.statusCode()).isEqualTo(200);
        assertThat(Api.json(timedOut.body()).getInt("revision")).as("unchanged").isEqualTo(2);
    }

    @Test
    void conditionalPostsAndReadsFollowTheBoardsETag() throws Exception {
        var created = Api.putBoard(base, board, "{\"n\":1}", "If-None-Match", "*");
        assertThat(created.statusCode()).isEqualTo(200);
        var etag = created.headers().firstValue("ETag").orElseThrow();
        var epoch = Api.json(created.body()).getString("epoch");
        assertThat(etag).isEqualTo("\"" + epoch + "-1\"");

        var again = Api.putBoard(base, board, "{\"n\":99}", "If-None-Match", "*");
        assertThat(again.statusCode()).as("it exists now").isEqualTo(412);
        Api.assertProblem(again, 412);
        assertThat(Api.json(again.body()).getInt("revision")).isEqualTo(1);
        assertThat(again.headers().firstValue("ETag")).contains(etag);

        var read = Deployed.get(base.resolve("api/boards/" + board));
        assertThat(read.headers().firstValue("ETag")).contains(etag);
        var unchanged = Deployed.get(base.resolve("api/boards/" + board), "If-None-Match", etag);
        assertThat(unchanged.statusCode()).isEqualTo(304);
        assertThat(unchanged.body()).isEmpty();
        assertThat(unchanged.headers().firstValue("ETag")).contains(etag);

        var second = Api.putBoard(base, board, "{\"n\":2}", "If-Match", etag);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(Api.json(second.body()).getInt("revision")).isEqualTo(2);
        var stale = Api.putBoard(base, board, "{\"n\":99}", "If-Match", etag);
        assertThat(stale.statusCode()).as("a writer of the version before").isEqualTo(412);
        assertThat(Api.json(stale.body()).getInt("revision")).isEqualTo(2);
        assertThat(stale.headers().firstValue("ETag")).contains(second.headers().firstValue("ETag").orElseThrow());
        assertThat(Deployed.get(base.resolve("api/boards/" + board), "If-None-Match", etag).statusCode()).as("changed since").isEqualTo(200);

        var poll = Deployed.get(base.resolve("api/boards/" + board + "?after=0"));
        assertThat(poll.headers().firstValue("ETag")).as("a long poll's answer").contains(second.headers().firstValue("ETag").orElseThrow());
        assertThat(Api.putBoard(base, "never-" + board, "{}", "If-Match", "*").statusCode()).as("If-Match * on no board").isEqualTo(412);
        assertThat(Api.putBoard(base, board, "{}", "If-None-Match", etag).statusCode()).as("a PUT takes If-None-Match: * only").isEqualTo(400);
        assertThat(Api.json(Deployed.get(base.resolve("api/boards/" + board)).body()).getJsonObject("value").getInt("n"))
                .as("no refused post was stored").isEqualTo(2);
    }

    @Test
    void aDeletedBoardAnswersItsWatchersAtOnceAndStartsAgainUnderANewEpoch() throws Exception {
        var first = Api.json(Api.putBoard(base, board, "{\"n\":1}").body());
        var poll = Deployed.HTTP.sendAsync(HttpRequest.newBuilder(base.resolve("api/boards/" + board + "?after=1&wait=120")).build(),
                HttpResponse.BodyHandlers.ofString());
        var events = Deployed.HTTP.sendAsync(HttpRequest.newBuilder(base.resolve("api/boards/" + board + "/events")).build(),
                HttpResponse.BodyHandlers.ofLines());
        var lines = events.get(20, TimeUnit.SECONDS).body().iterator();
        while (!lines.next().startsWith("data:")) {
            // the current value first
        }
        assertThat(poll).as("nothing new yet").isNotDone();

        var anonymous = Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve("api/boards/" + board)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        var deleted = deleteBoard(board);
        assertThat(deleted.statusCode()).isEqualTo(204);

        var answered = poll.get(20, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).as("the waiting long poll").isEqualTo(404);
        Api.assertProblem(answered, 404);
        var event = new ArrayList<String>();
        while (event.stream().noneMatch(l -> l.startsWith("data:"))) {
            var line = lines.next();
            if (!line.startsWith(":")) {
                event.add(line);
            }
        }
        assertThat(event).contains("event: deleted");
        var gone = Deployed.get(base.resolve("api/boards/" + board));
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(Api.json(gone.body()).getString("detail")).as("not said to be never posted to alone").contains("deleted");
        assertThat(deleteBoard(board).statusCode()).as("once").isEqualTo(404);

        var again = Api.json(Api.putBoard(base, board, "{\"n\":2}").body());
        assertThat(again.getInt("revision")).isEqualTo(1);
        assertThat(again.getString("epoch")).isNotEqualTo(first.getString("epoch"));
        var next = new ArrayList<String>();
        while (next.stream().noneMatch(l -> l.startsWith("data:"))) {
            next.add(lines.next());
        }
        assertThat(next.stream().filter(l -> l.startsWith("data:")).findFirst().orElseThrow()).as("the stream goes on with the new board")
                .contains(again.getString("epoch"));
        events.join().body().close(); // the client leaves the stream
    }

    @Test
    void aBoardWithALeaseExpiresAndItsLongPollIsAnswered404() throws Exception {
        assertThat(Api.putBoard(base, board + "?ttlSeconds=0", "{}").statusCode()).as("1 s to 30 days").isEqualTo(400);
        assertThat(Api.putBoard(base, board + "?ttlSeconds=2592001", "{}").statusCode()).isEqualTo(400);
        assertThat(Deployed.get(base.resolve("api/boards/" + board)).statusCode()).as("nothing stored").isEqualTo(404);
        var posted = Api.json(Api.putBoard(base, board + "?ttlSeconds=2", "{\"n\":1}").body());
        assertThat(Instant.parse(posted.getString("expiresAt")))
                .isEqualTo(Instant.parse(posted.getString("postedAt")).plusSeconds(2));
        var poll = Deployed.get(base.resolve("api/boards/" + board + "?after=1&wait=60"));
        assertThat(poll.statusCode()).as("answered when the lease ran out, not at the end of its wait").isEqualTo(404);
        Api.assertProblem(poll, 404);
        assertThat(Deployed.get(base.resolve("api/boards/" + board)).statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> deleteBoard(String name) throws Exception {
        return Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve("api/boards/" + name))
                .header("Authorization", Deployed.basic("admin", Deployed.adminPassword())).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A watcher's polls follow one another on one kept-alive connection, the way a browser's progress
     * bar polls: each answer is whole (its Content-Length), and the next request on the connection is
     * served though the node completes the previous one after writing it; a value near the 64 KiB
     * limit comes through too.
     */
    @Test
    void longPollsFollowOneAnotherOnOneKeptAliveConnection() throws Exception {
        Api.putBoard(base, board, "{\"percent\":0}");
        var note = "x".repeat(60_000);
        try (var socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(20_000);
            var in = new BufferedInputStream(socket.getInputStream());
            var out = socket.getOutputStream();
            long after = 1;
            for (int i = 1; i <= 3; i++) {
                out.write(("GET " + base.getPath() + "api/boards/" + board + "?after=" + after + "&wait=30 HTTP/1.1\r\nHost: "
                        + base.getHost() + ":" + base.getPort() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(300);
                assertThat(in.available()).as("poll %d waits for a post", i).isZero();
                Api.putBoard(base, board, i == 2 ? "{\"percent\":20,\"note\":\"" + note + "\"}" : "{\"percent\":" + i * 10 + "}");
                var status = readLine(in);
                assertThat(status).startsWith("HTTP/1.1 200");
                var length = -1;
                for (String line; !(line = readLine(in)).isEmpty(); ) {
                    if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                        length = Integer.parseInt(line.substring(15).strip());
                    }
                }
                assertThat(length).as("a whole answer").isPositive();
                var answer = Api.json(new String(in.readNBytes(length), StandardCharsets.UTF_8));
                assertThat(answer.getInt("revision")).isEqualTo(after + 1);
                assertThat(answer.getJsonObject("value").getInt("percent")).isEqualTo(i * 10);
                if (i == 2) {
                    assertThat(answer.getJsonObject("value").getString("note")).isEqualTo(note);
                }
                after = answer.getInt("revision");
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        var line = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new EOFException("the connection was closed");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /**
     * The node's default share is 100 open streams and long polls per client address: polls are
     * opened until the node refuses one, which must come by the 100th held (streams of this client
     * that earlier tests closed may still count until the node notices, so it may come sooner).
     */
    @Test
    void aClientHoldsAtMostItsShareOfOpenStreamsAndPollsOnANode() throws Exception {
        var poll = HttpRequest.newBuilder(base.resolve("api/boards/" + board + "?after=0&wait=120")).build();
        var probe = base.resolve("api/boards/" + board + "?after=0&wait=1");
        var held = new ArrayList<CompletableFuture<HttpResponse<String>>>();
        HttpResponse<String> refused = null;
        while (refused == null) {
            assertThat(held.stream().filter(f -> !f.isDone()).count()).as("polls held open before a refusal").isLessThanOrEqualTo(100);
            for (int i = 0; i < 10; i++) {
                held.add(Deployed.HTTP.sendAsync(poll, HttpResponse.BodyHandlers.ofString()));
            }
            Thread.sleep(200);
            var answer = Deployed.get(probe);
            if (answer.statusCode() == 429) {
                refused = answer;
            } else {
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            }
        }
        Api.assertProblem(refused, 429);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        for (var stream : List.of("api/boards/" + board + "/events", "api/chat/rooms/" + board + "/events")) {
            var sse = Deployed.get(base.resolve(stream), "Accept", "text/event-stream");
            assertThat(sse.statusCode()).as(stream).isEqualTo(429);
            Api.assertProblem(sse, 429);
        }
        var open = held.stream().filter(f -> !f.isDone()).toList();
        assertThat(held).filteredOn(CompletableFuture::isDone).as("a poll answered before the board changed was refused")
                .allSatisfy(answer -> assertThat(answer.join().statusCode()).isEqualTo(429));

        Api.putBoard(base, board, "1");
        CompletableFuture.allOf(open.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(open).allSatisfy(answer -> assertThat(answer.join().statusCode()).isEqualTo(200));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Deployed.get(probe).statusCode())
                .as("answered polls give their places back").isEqualTo(200));
    }

    @Test
    void badInputIsRefusedWithProblemJsonAndNothingIsStored() throws Exception {
        var anonymous = Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve("api/boards/" + board))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        for (var body : List.of("{", "not json", "{\"a\":1} extra", "", "\"" + "x".repeat(70_000) + "\"",
                "[".repeat(30_000) + "]".repeat(30_000))) {
            var response = Api.putBoard(base, board, body);
            assertThat(response.statusCode()).as(body.length() > 40 ? "oversized" : body).isEqualTo(400);
            Api.assertProblem(response, 400);
        }
        var badName = Api.putBoard(base, "bad*name", "1");
        assertThat(badName.statusCode()).isEqualTo(400);
        var badLimit = Deployed.get(base.resolve("api/boards?limit=abc"));
        assertThat(badLimit.statusCode()).isEqualTo(400);
        Api.assertProblem(badLimit, 400);
        var badAfter = Deployed.get(base.resolve("api/boards/" + board + "?after=-3"));
        assertThat(badAfter.statusCode()).isEqualTo(400);
        Api.assertProblem(badAfter, 400);
        assertThat(Deployed.get(base.resolve("api/boards/" + board)).statusCode()).as("nothing stored").isEqualTo(404);
        assertThat(Deployed.get(base.resolve("api/boards")).body()).doesNotContain(board);
    }

    @Test
    void serverSentEventsStartWithTheCurrentValueAndResume() throws Exception {
        Api.putBoard(base, board, "1");
        Api.putBoard(base, board, "2");
        var events = Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve("api/boards/" + board + "/events"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(events.statusCode()).isEqualTo(200);
        try (var reader = new BufferedReader(new InputStreamReader(events.body(), StandardCharsets.UTF_8))) {
            assertThat(nextEventId(reader)).isEqualTo("2");
            Api.putBoard(base, board, "3");
            assertThat(nextEventId(reader)).isEqualTo("3");
        }
        var resumed = Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve("api/boards/" + board + "/events"))
                .header("Accept", "text/event-stream").header("Last-Event-ID", "3").build(), HttpResponse.BodyHandlers.ofInputStream());
        try (var reader = new BufferedReader(new InputStreamReader(resumed.body(), StandardCharsets.UTF_8))) {
            Api.putBoard(base, board, "4");
            assertThat(nextEventId(reader)).as("resumes after 3, without repeating it").isEqualTo("4");
        }
    }

    private static String nextEventId(BufferedReader reader) throws Exception {
        for (String line; (line = reader.readLine()) != null; ) {
            if (line.startsWith("id:")) {
                return line.substring(3).strip();
            }
        }
        throw new AssertionError("the event stream ended");
    }
}
