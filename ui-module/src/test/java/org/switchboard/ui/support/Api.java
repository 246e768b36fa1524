package org.switchboard.ui.support;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.SoftAssertions;

/** Calls and checks of the deployed API that several test classes make. */
public final class Api {

    private Api() {
    }

    public static HttpResponse<String> putBoard(URI base, String board, String body, String... headers) throws Exception {
        var request = HttpRequest.newBuilder(base.resolve("api/boards/" + board))
                .header("Content-Type", "application/json")
                .header("Authorization", Deployed.basic("admin", Deployed.adminPassword()))
                .timeout(Duration.ofSeconds(30))
                .PUT(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return Deployed.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static HttpResponse<String> postMessage(URI base, String room, String body) throws Exception {
        return Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve("api/chat/rooms/" + room + "/messages"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public static String jsonString(String text) {
        return Json.createValue(text).toString();
    }

    public static HttpResponse<String> enqueue(URI base, String body) throws Exception {
        return Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve("api/jobs"))
                .header("Content-Type", "application/json").header("Authorization", Deployed.basic("admin", Deployed.adminPassword()))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public static HttpResponse<String> transfer(URI base, String body) throws Exception {
        return postAsAdmin(base, "api/ledger/transfers", body);
    }

    public static HttpResponse<String> postAsAdmin(URI base, String path, String body) throws Exception {
        return Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json").header("Authorization", Deployed.basic("admin", Deployed.adminPassword()))
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends the requests together (each waits out the driver's own retries) and checks that each answers 503 problem+json with Retry-After. */
    public static void assertEveryAnswerIsUnavailable(List<HttpRequest> requests) {
        var answers = requests.stream()
                .map(r -> Deployed.HTTP.sendAsync(r, HttpResponse.BodyHandlers.ofString()))
                .toList();
        var softly = new SoftAssertions();
        for (int i = 0; i < requests.size(); i++) {
            var request = requests.get(i).method() + " " + requests.get(i).uri().getPath()
                    + (requests.get(i).uri().getQuery() == null ? "" : "?" + requests.get(i).uri().getQuery());
            var response = answers.get(i).join();
            softly.assertThat(response.statusCode()).as(request + ": " + response.body()).isEqualTo(503);
            softly.assertThat(response.headers().firstValue("Content-Type")).as(request).hasValueSatisfying(
                    t -> assertThat(t).startsWith("application/problem+json"));
            softly.assertThat(response.headers().firstValue("Retry-After")).as(request).isPresent();
        }
        softly.assertAll();
    }

    public static void assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        var problem = json(response.body());
        assertThat(problem.getInt("status")).isEqualTo(status);
        assertThat(problem.getString("title")).isNotBlank();
        assertThat(problem.getString("detail")).isNotBlank();
    }

    public static JsonObject json(String text) {
        try (var reader = Json.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }

    public static JsonArray jsonArray(String text) {
        try (var reader = Json.createReader(new StringReader(text))) {
            return reader.readArray();
        }
    }

    /**
     * Sends {@code request} (request line and headers, each line ending in CRLF, then the body) as
     * written, on a connection of its own, and answers the whole response: for what the HTTP client
     * does not let a caller send, such as a forged {@code Host} header.
     */
    public static String raw(URI base, String request) throws IOException {
        try (var socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
