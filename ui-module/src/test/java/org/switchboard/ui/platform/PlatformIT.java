package org.switchboard.ui.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.switchboard.testkit.TestServers;
import org.switchboard.ui.support.Api;
import org.switchboard.ui.support.ClientSideIT;
import org.switchboard.ui.support.Deployed;

/**
 * The deployed WAR over HTTP: readiness, and every endpoint's answer while Redis or CouchDB is down;
 * errors, security, API description.
 */
class PlatformIT extends ClientSideIT {

    @Test
    void everyAnswerCarriesTheSecurityHeaders() {
        var answers = new java.util.LinkedHashMap<String, HttpResponse<String>>();
        for (var path : List.of("", "chat/", "admin/", "login.xhtml", "api/boards", "api/boards/bad%20name", "api/system", "no-such-page", "metrics")) {
            answers.put(path, Deployed.get(base.resolve(path)));
        }
        answers.put("api/system with a wrong password", Deployed.get(base.resolve("api/system"), "Authorization", Deployed.basic("admin", "wrong")));
        assertThat(answers.get("admin/").statusCode()).as("to the login page, by the security layer").isEqualTo(302);
        assertThat(answers.get("api/system with a wrong password").statusCode()).isEqualTo(401);
        for (var answer : answers.entrySet()) {
            var path = answer.getKey();
            var headers = answer.getValue().headers();
            assertThat(headers.firstValue("Content-Security-Policy")).as(path).hasValueSatisfying(csp -> assertThat(csp)
                    .contains("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'")
                    .doesNotContain("unsafe-inline", "unsafe-eval"));
            assertThat(headers.firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
            assertThat(headers.firstValue("Referrer-Policy")).as(path).hasValue("same-origin");
            assertThat(headers.allValues("X-Frame-Options")).as(path).containsExactly("DENY");
        }
    }

    @Test
    void readinessReportsEachServerUp() {
        var response = Deployed.get(base.resolve("/health/ready"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(checks(response.body())).containsExactlyInAnyOrderEntriesOf(
                Map.of("redis", "UP", "couchdb", "UP", "database", "UP", "accepting", "UP"));
        assertThat(response.body()).as("public: the states only, no addresses or versions")
                .doesNotContain(TestServers.redis().url(), "127.0.0.1", "CouchDB API", "H2");
        assertThat(Api.json(response.body()).getJsonArray("checks").getValuesAs(JsonObject.class))
                .allSatisfy(check -> assertThat(check.getJsonObject("data")).as(check.toString()).isEmpty());
    }

    @Test
    void aRedisOutageMakesTheNodeNotReadyUntilRedisIsBack() {
        var redis = TestServers.redis();
        redis.stop();
        try {
            awaitNotReady(Map.of("redis", "DOWN", "couchdb", "UP", "database", "UP"));
            assertThat(Deployed.get(base.resolve("/health/live")).statusCode()).as("the node itself lives on").isEqualTo(200);
            var id = UUID.randomUUID();
            Api.assertEveryAnswerIsUnavailable(List.of(
                    call("GET", "api/boards"),
                    call("GET", "api/boards/outage"),
                    call("GET", "api/boards/outage?after=1&wait=1"),
                    call("GET", "api/boards/outage/events"),
                    admin("PUT", "api/boards/outage", "{\"percent\":1}"),
                    call("POST", "api/chat/rooms/outage/messages", "{\"author\":\"a\",\"text\":\"lost?\"}"),
                    call("GET", "api/chat/rooms/outage/presence"),
                    call("GET", "api/chat/rooms/outage/events?name=a"),
                    admin("POST", "api/jobs", "{\"type\":\"noop\"}"),
                    admin("GET", "api/jobs/" + id),
                    admin("DELETE", "api/jobs/" + id),
                    admin("GET", "api/jobs/queues"),
                    admin("GET", "api/jobs/stats"),
                    admin("GET", "api/jobs/workers"),
                    admin("GET", "api/jobs/scheduled"),
                    admin("GET", "api/jobs/dead"),
                    admin("POST", "api/jobs/queues/default/pause", ""),
                    admin("POST", "api/jobs/scheduled/" + id + "/run", ""),
                    admin("POST", "api/jobs/dead/" + id + "/retry", ""),
                    admin("DELETE", "api/jobs/dead/" + id)));
            assertThat(Deployed.get(base.resolve("api/chat/rooms/outage/messages")).statusCode())
                    .as("the chat history is in SQL: it is read without Redis").isEqualTo(200);
        } finally {
            redis.start();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(Deployed.get(base.resolve("/health/ready")).statusCode()).isEqualTo(200));
        // nothing the outage refused was stored
        assertThat(Deployed.get(base.resolve("api/boards/outage")).statusCode()).isEqualTo(404);
        assertThat(Api.jsonArray(Deployed.get(base.resolve("api/chat/rooms/outage/messages")).body())).isEmpty();
        var queues = Deployed.get(base.resolve("api/jobs/queues"), "Authorization", Deployed.basic("admin", Deployed.adminPassword()));
        assertThat(queues.statusCode()).isEqualTo(200);
        assertThat(Api.json(queues.body()).getJsonArray("queues").getValuesAs(JsonObject.class))
                .filteredOn(q -> q.getString("queue").equals("default"))
                .allSatisfy(q -> assertThat(q.getBoolean("paused")).as("the refused pause left the queue running").isFalse());
    }

    @Test
    void aCouchDbOutageMakesTheNodeNotReadyUntilItIsBack() {
        assumeFalse(TestServers.couchDb().external(), "an external CouchDB is not stopped by the tests");
        var couch = TestServers.pouchDb();
        couch.stop();
        try {
            awaitNotReady(Map.of("couchdb", "DOWN", "redis", "UP"));
            Api.assertEveryAnswerIsUnavailable(List.of(
                    admin("GET", "api/ledger/accounts"),
                    admin("POST", "api/ledger/accounts", "{\"id\":\"outage\"}"),
                    admin("GET", "api/ledger/accounts/outage"),
                    admin("GET", "api/ledger/accounts/outage/transfers"),
                    admin("POST", "api/ledger/transfers", "{\"id\":\"outage-1\",\"from\":\"a\",\"to\":\"b\",\"amount\":1}"),
                    admin("GET", "api/ledger/transfers/outage-1"),
                    admin("GET", "api/ledger/check")));
        } finally {
            couch.start(); // in memory: it comes back empty, and the node must create its database again
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(Deployed.get(base.resolve("/health/ready")).statusCode()).isEqualTo(200));
    }

    @Test
    void adminCallsNeedTheAdminLogin() {
        var anonymous = Deployed.get(base.resolve("api/system"));
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic realm="));
        Api.assertProblem(anonymous, 401);

        var wrong = Deployed.get(base.resolve("api/system"), "Authorization", Deployed.basic("admin", "not-the-password"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        Api.assertProblem(wrong, 401);

        var wrongUser = Deployed.get(base.resolve("api/system"), "Authorization", Deployed.basic("root", Deployed.adminPassword()));
        assertThat(wrongUser.statusCode()).isEqualTo(401);

        var garbage = Deployed.get(base.resolve("api/system"), "Authorization", "Basic %%%not-base64");
        assertThat(garbage.statusCode()).isEqualTo(401);

        var admin = Deployed.get(base.resolve("api/system"), "Authorization", Deployed.basic("admin", Deployed.adminPassword()));
        assertThat(admin.statusCode()).isEqualTo(200);
        var system = Api.json(admin.body());
        assertThat(system.getString("redis")).isEqualTo(TestServers.redis().url());
        assertThat(system.getJsonArray("components")).hasSize(3);
        assertThat(admin.body()).doesNotContain(Deployed.adminPassword());
    }

    @Test
    void repeatedFailedLoginsAreRefusedWith429ForThatUserAndAddress() {
        // user "mallory" from this address; the default limit is 10 failures in 5 minutes
        for (int i = 0; i < 10; i++) {
            assertThat(Deployed.get(base.resolve("api/system"), "Authorization", Deployed.basic("mallory", "guess-" + i)).statusCode())
                    .isEqualTo(401);
        }
        var refused = Deployed.get(base.resolve("api/system"), "Authorization", Deployed.basic("mallory", "guess-10"));
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        Api.assertProblem(refused, 429);
        var admin = Deployed.get(base.resolve("api/system"), "Authorization", Deployed.basic("admin", Deployed.adminPassword()));
        assertThat(admin.statusCode()).as("another user name from the same address is not blocked").isEqualTo(200);
    }

    @Test
    void unknownApiPathsAnswerProblemJsonNotHtml() {
        var response = Deployed.get(base.resolve("api/no-such-thing"));
        assertThat(response.statusCode()).isEqualTo(404);
        Api.assertProblem(response, 404);
        assertThat(response.body()).doesNotContain("<html", "Exception", "at org.");
    }

    @Test
    void adminPagesSendAnonymousVisitorsToTheLoginPage() throws Exception {
        var response = Deployed.get(base.resolve("admin/"));
        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location")).hasValueSatisfying(location ->
                assertThat(location).contains("/login.xhtml?next=").contains("admin"));
    }

    @Test
    void controlCharactersInAnApiPathGetA4xxProblem() {
        for (var path : List.of("api/boards/a%0d%0ab", "api/boards/a%0ab/events", "api/chat/rooms/a%0d%0ab/messages",
                "api/jobs/a%0d%0ab", "api/ledger/transfers/a%0d%0ab", "api/nothing%0d%0a")) {
            var response = Deployed.get(base.resolve(path));
            assertThat(response.statusCode()).as(path).isBetween(400, 499);
            Api.assertProblem(response, response.statusCode());
        }
    }

    @Test
    void anonymousPagesMakeNoSessionAndTheLoginFormsCookieIsSameSiteLax() {
        for (var page : List.of("", "chat/", "chat/lobby", "boards/", "boards/some-board", "no-such-page")) {
            var response = Deployed.get(base.resolve(page));
            assertThat(response.headers().allValues("Set-Cookie")).as(page).isEmpty();
        }
        var login = Deployed.get(base.resolve("login.xhtml"));
        assertThat(login.headers().allValues("Set-Cookie")).singleElement().satisfies(cookie -> assertThat(cookie)
                .startsWith("JSESSIONID=").contains("HttpOnly").contains("SameSite=Lax").doesNotContain("Secure"));
    }

    @Test
    void theHostHeaderIsNeverEchoedIntoAnAddress() throws Exception {
        var board = "host-" + UUID.randomUUID().toString().substring(0, 8);
        Api.putBoard(base, board, "1");
        var path = base.getPath();
        var poll = Api.raw(base, "GET " + path + "api/boards/" + board + "?after=0 HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
        assertThat(poll).startsWith("HTTP/1.1 200").contains("\"next\":\"" + path + "api/boards/" + board + "?").doesNotContain("evil.example");
        var body = "{\"author\":\"host\",\"text\":\"where am I?\"}";
        var post = Api.raw(base, "POST " + path + "api/chat/rooms/" + board + "/messages HTTP/1.1\r\nHost: evil.example\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body);
        assertThat(post).startsWith("HTTP/1.1 201").containsIgnoringCase("location: " + path + "api/chat/rooms/" + board + "/messages/1")
                .doesNotContain("evil.example");
        var page = Api.raw(base, "GET " + path + "admin/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
        assertThat(page).startsWith("HTTP/1.1 302").containsIgnoringCase("location: " + path + "login.xhtml?next=").doesNotContain("evil.example");
    }

    @Test
    void jerseysWadlDescribesNothing() {
        var wadl = Deployed.get(base.resolve("api/application.wadl"));
        assertThat(wadl.statusCode()).isEqualTo(404);
        Api.assertProblem(wadl, 404);
        var options = Deployed.HTTP.sendAsync(HttpRequest.newBuilder(base.resolve("api/jobs")).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString()).join();
        assertThat(options.body()).doesNotContain("<application", "wadl");
    }

    @Test
    void theApiIsDescribedAtOpenapi() {
        var response = Deployed.get(base.resolve("/openapi"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("title: Switchboard").contains("/system").contains("basic")
                .contains("/api/chat/rooms/{room}/events").contains("/api/chat/rooms/{room}/messages");
    }

    @Test
    void aMissingPageGetsTheSiteNotFoundPage() {
        var response = Deployed.get(base.resolve("no-such-page"));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("Not found").doesNotContain("Exception");
    }

    private HttpRequest call(String method, String path) {
        return call(method, path, null);
    }

    private HttpRequest call(String method, String path, String json) {
        return request(method, path, json).build();
    }

    private HttpRequest admin(String method, String path) {
        return admin(method, path, null);
    }

    private HttpRequest admin(String method, String path, String json) {
        return request(method, path, json).header("Authorization", Deployed.basic("admin", Deployed.adminPassword())).build();
    }

    private HttpRequest.Builder request(String method, String path, String json) {
        var request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60));
        if (json == null) {
            return request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    }

    /** Waits until the node says it is not ready, with these checks in these states. */
    private void awaitNotReady(Map<String, String> states) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var response = Deployed.get(base.resolve("/health/ready"));
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(checks(response.body())).as(response.body()).containsAllEntriesOf(states);
        });
    }

    static Map<String, String> checks(String healthJson) {
        return Api.json(healthJson).getJsonArray("checks").stream()
                .map(JsonValue::asJsonObject)
                .collect(Collectors.toMap(c -> c.getString("name"), c -> c.getString("status")));
    }

}
