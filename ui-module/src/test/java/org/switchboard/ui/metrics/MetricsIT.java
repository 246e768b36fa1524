package org.switchboard.ui.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.switchboard.ui.support.Api;
import org.switchboard.ui.support.ClientSideIT;
import org.switchboard.ui.support.Deployed;
import org.switchboard.ui.support.PayaraNode;

/** {@code /metrics} on the deployed WAR: each pattern's meters move with what was done through the API; routes, not paths; the token. */
class MetricsIT extends ClientSideIT {

    @Test
    void eachPatternsMetersMoveWithWhatWasDoneAndRoutesAreTemplates() throws Exception {
        var run = UUID.randomUUID().toString().substring(0, 8);
        var enqueued = Api.enqueue(base, "{\"type\":\"noop\"}");
        assertThat(enqueued.statusCode()).isEqualTo(201);
        var job = Api.json(enqueued.body()).getString("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(
                Api.json(Deployed.get(base.resolve("api/jobs/" + job), "Authorization", Deployed.basic("admin", Deployed.adminPassword())).body())
                        .getString("state")));
        assertThat(Api.putBoard(base, "metrics-" + run, "{\"percent\":5}").statusCode()).isEqualTo(200);
        assertThat(Deployed.get(base.resolve("api/boards/metrics-" + run + "?after=0&wait=1")).statusCode()).isEqualTo(200);
        assertThat(Api.postMessage(base, "metrics-" + run, "{\"author\":\"m\",\"text\":\"hello\"}").statusCode()).isEqualTo(201);
        for (var account : new String[] {"issuer-" + run, "a-" + run}) {
            var body = "{\"id\":\"" + account + "\"" + (account.startsWith("issuer") ? ",\"allowNegative\":true}" : "}");
            assertThat(Api.postAsAdmin(base, "api/ledger/accounts", body).statusCode()).isEqualTo(201);
        }
        assertThat(Api.transfer(base, "{\"from\":\"issuer-" + run + "\",\"to\":\"a-" + run + "\",\"amount\":10}").statusCode()).isEqualTo(201);
        assertThat(Api.transfer(base, "{\"from\":\"a-" + run + "\",\"to\":\"issuer-" + run + "\",\"amount\":11}").statusCode()).isEqualTo(422);

        // the queues' state is read from Redis every few seconds
        await().atMost(Duration.ofSeconds(15)).until(() -> scrape(base).containsKey("switchboard_jobs_waiting{queue=\"default\"}"));
        var metrics = scrape(base);
        assertThat(metrics.get("switchboard_jobs_processed_total{queue=\"default\"}")).isGreaterThanOrEqualTo(1);
        assertThat(metrics.get("switchboard_jobs_start_delay_seconds_count{queue=\"default\"}")).isGreaterThanOrEqualTo(1);
        assertThat(metrics).containsKeys("switchboard_jobs_busy", "switchboard_jobs_dead{queue=\"default\"}",
                "switchboard_jobs_oldest_wait_seconds{queue=\"default\"}");
        assertThat(metrics.get("switchboard_boards_posts_total")).isGreaterThanOrEqualTo(1);
        assertThat(metrics.get("switchboard_boards_watch_answer_seconds_count{outcome=\"changed\"}")).isGreaterThanOrEqualTo(1);
        assertThat(metrics.get("switchboard_chat_messages_posted_total")).isGreaterThanOrEqualTo(1);
        assertThat(metrics).containsKeys("switchboard_chat_readers", "switchboard_chat_delivery_lag_seconds_count", "switchboard_boards_watchers");
        assertThat(metrics.get("switchboard_ledger_decided_total{outcome=\"successful\"}")).isGreaterThanOrEqualTo(1);
        assertThat(metrics.get("switchboard_ledger_decided_total{outcome=\"rejected\"}")).isGreaterThanOrEqualTo(1);
        assertThat(metrics.get("switchboard_ledger_decision_seconds_count")).isGreaterThanOrEqualTo(2);
        assertThat(metrics).containsKeys("switchboard_ledger_pending", "switchboard_ledger_commit_conflicts_total");
        assertThat(metrics.get("switchboard_server_up{server=\"redis\"}")).isEqualTo(1);
        assertThat(metrics.get("switchboard_server_up{server=\"couchdb\"}")).isEqualTo(1);
        assertThat(metrics.get("switchboard_server_up{server=\"database\"}")).isEqualTo(1);
        assertThat(metrics.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes{"));
        assertThat(metrics.get("http_server_requests_seconds_count{method=\"POST\",outcome=\"CLIENT_ERROR\",status=\"422\",uri=\"/api/ledger/transfers\"}"))
                .isGreaterThanOrEqualTo(1);
        assertThat(metrics.get("http_server_requests_seconds_count{method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/api/jobs/{id}\"}"))
                .isGreaterThanOrEqualTo(1);
        assertThat(metrics.get("http_server_requests_seconds_count{method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/api/boards/{board}?after\"}"))
                .as("a long poll, timed until it was answered").isGreaterThanOrEqualTo(1);
        assertThat(metrics.keySet()).as("routes, never the paths clients send").noneMatch(k -> k.contains(job) || k.contains(run));

        var dashboard = Files.readString(Path.of("..", "docs", "grafana", "switchboard.json"));
        var used = Pattern.compile("\\b(switchboard_[a-z_]+|http_server_[a-z_]+|jvm_[a-z_]+|process_[a-z_]+)\\b").matcher(dashboard).results()
                .map(m -> m.group(1)).collect(Collectors.toCollection(TreeSet::new));
        assertThat(used).as("the dashboard's series").hasSizeGreaterThan(20);
        assertThat(used).as("every series the dashboard draws is exported")
                .allSatisfy(name -> assertThat(metrics.keySet()).anyMatch(k -> k.equals(name) || k.startsWith(name + "{")));
    }

    @Test
    void openMetricsIsServedToAScraperThatAsksForIt() throws Exception {
        var response = Deployed.get(base.resolve("metrics"), "Accept", "application/openmetrics-text; version=1.0.0");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/openmetrics-text"));
        assertThat(response.body().strip()).endsWith("# EOF");
        var posted = Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve("metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        Api.assertProblem(posted, 405);
        var text = Deployed.get(base.resolve("metrics"));
        assertThat(text.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
    }

    @Test
    void withATokenSetOnlyAScraperThatSendsItGetsTheMetrics() {
        var token = UUID.randomUUID().toString();
        try (var node = PayaraNode.start(Map.of("switchboard.metrics.token", token))) {
            var refused = Deployed.get(node.base().resolve("metrics"));
            Api.assertProblem(refused, 401);
            assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            Api.assertProblem(Deployed.get(node.base().resolve("metrics"), "Authorization", "Bearer not-" + token), 401);
            var allowed = Deployed.get(node.base().resolve("metrics"), "Authorization", "Bearer " + token);
            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(allowed.body()).contains("switchboard_server_up");
        }
    }

    @Test
    void switchedOffTheMetricsAreNotServed() {
        try (var node = PayaraNode.start(Map.of("switchboard.metrics.enabled", "false"))) {
            Api.assertProblem(Deployed.get(node.base().resolve("metrics")), 404);
            assertThat(Deployed.get(node.base().resolve("api/boards")).statusCode()).as("the node itself serves").isEqualTo(200);
        }
    }

    /** The samples of a scrape in the Prometheus text format, by name and labels as written. */
    static Map<String, Double> scrape(URI base) {
        var response = Deployed.get(base.resolve("metrics"));
        assertThat(response.statusCode()).isEqualTo(200);
        var samples = new LinkedHashMap<String, Double>();
        for (var line : response.body().lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            var space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }
}
