package org.switchboard.ui.support;

import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Reads a server-sent event stream on a thread of its own and keeps every event's id and data. */
public final class SseReader implements AutoCloseable {

    public record Event(String id, String data) {
        public JsonObject json() {
            return Api.json(data);
        }
    }

    public final List<Event> events = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile InputStream body;
    public volatile int status;
    /** The reconnection delay the server last asked for ({@code retry:}), if any. */
    public volatile String retry;
    /** Whether the server ended the stream (as opposed to the test or a failure). */
    public volatile boolean endedByServer;
    /** Whether the stream is over, however it ended: a client would now reconnect. */
    public volatile boolean ended;

    public SseReader(URI uri, String... headers) {
        var request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        var opened = new CountDownLatch(1);
        thread = Thread.ofVirtual().start(() -> {
            try {
                var response = Deployed.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                status = response.statusCode();
                body = response.body();
                opened.countDown();
                try (var reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                    String id = null;
                    var data = new StringBuilder();
                    for (String line; (line = reader.readLine()) != null; ) {
                        if (line.startsWith("retry:")) {
                            retry = line.substring(6).strip();
                        } else if (line.startsWith("id:")) {
                            id = line.substring(3).strip();
                        } else if (line.startsWith("data:")) {
                            data.append(line.substring(5).strip());
                        } else if (line.isEmpty() && !data.isEmpty()) {
                            events.add(new Event(id, data.toString()));
                            data.setLength(0);
                        }
                    }
                    endedByServer = true;
                }
            } catch (Exception e) {
                opened.countDown(); // closed by the test, or the node went away
            } finally {
                ended = true;
            }
        });
        try {
            opened.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public List<Long> seqs() {
        return events.stream().map(e -> Long.parseLong(e.id())).toList();
    }

    public void awaitCount(int n) {
        await().atMost(Duration.ofSeconds(30)).until(() -> events.size() >= n);
    }

    @Override
    public void close() throws IOException {
        var stream = body;
        if (stream != null) {
            stream.close();
        }
        thread.interrupt();
    }
}
