package org.switchboard.ui.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.switchboard.ui.support.Api;
import org.switchboard.ui.support.ClientSideIT;
import org.switchboard.ui.support.Deployed;
import org.switchboard.ui.support.SseReader;

/** The job API on the deployed WAR: enqueue, run with progress on a notice board, limits, unique keys, cancel. */
class JobsIT extends ClientSideIT {

    @Test
    void aSleepJobRunsReportsProgressToItsBoardAndSucceeds() throws Exception {
        var enqueued = Api.enqueue(base, "{\"type\":\"sleep\",\"payload\":{\"ms\":600,\"steps\":3}}");
        assertThat(enqueued.statusCode()).isEqualTo(201);
        var id = Api.json(enqueued.body()).getString("id");
        assertThat(enqueued.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/api/jobs/" + id));
        await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(job(id).getString("state")));
        var job = job(id);
        assertThat(job.getString("type")).isEqualTo("sleep");
        assertThat(job.getInt("attempts")).isEqualTo(1);
        assertThat(job.getJsonObject("result").getInt("slept")).isEqualTo(600);
        assertThat(job.getJsonObject("progress").getInt("percent")).isEqualTo(100);
        assertThat(job.getString("finishedAt")).isNotBlank();
        var board = Api.json(Deployed.get(base.resolve("api/boards/job-" + id)).body());
        assertThat(board.getInt("revision")).isEqualTo(3);
        assertThat(board.getJsonObject("value").getInt("percent")).isEqualTo(100);
    }

    @Test
    void aFlowsParentRunsAfterItsChildrenWithTheirResultsAndOneWhoseChildDiesFailsNamingIt() throws Exception {
        var flow = Api.enqueue(base, "{\"type\":\"gather\",\"children\":["
                + "{\"type\":\"sleep\",\"payload\":{\"ms\":300}},"
                + "{\"type\":\"gather\",\"children\":[{\"type\":\"noop\"},{\"type\":\"sleep\",\"payload\":{\"ms\":100}}]}]}");
        assertThat(flow.statusCode()).as(flow.body()).isEqualTo(201);
        var answer = Api.json(flow.body());
        assertThat(answer.getString("state")).isEqualTo("waiting-children");
        var children = answer.getJsonArray("children").getValuesAs(JsonObject.class);
        assertThat(children).extracting(c -> c.getString("state")).containsExactly("queued", "waiting-children");
        var root = answer.getString("id");
        var sleeper = children.get(0).getString("id");
        var inner = children.get(1).getString("id");
        var listed = job(root).getJsonArray("children").getValuesAs(JsonObject.class);
        assertThat(listed).extracting(c -> c.getString("id")).containsExactly(sleeper, inner);
        assertThat(listed.get(1).getInt("children")).isEqualTo(2);
        assertThat(job(inner).getString("parent")).isEqualTo(root);
        await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(job(root).getString("state")));
        var results = job(root).getJsonObject("result").getJsonObject("results");
        assertThat(results.getJsonObject(sleeper).getInt("slept")).isEqualTo(300);
        assertThat(results.getJsonObject(inner).getJsonObject("results").keySet()).hasSize(2);
        assertThat(job(root).getJsonArray("children").getValuesAs(JsonObject.class)).extracting(c -> c.getString("state")).containsOnly("succeeded");

        var failing = Api.json(Api.enqueue(base, "{\"type\":\"gather\",\"children\":[{\"type\":\"sleep\",\"maxAttempts\":1,\"payload\":{}},"
                + "{\"type\":\"noop\"}]}").body());
        var doomed = failing.getString("id");
        var bad = failing.getJsonArray("children").getJsonObject(0).getString("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> "dead".equals(job(doomed).getString("state")));
        assertThat(job(doomed).getString("error")).contains("child " + bad + " dead");
        var lenient = Api.json(Api.enqueue(base, "{\"type\":\"gather\",\"continueOnChildFailure\":true,\"children\":["
                + "{\"type\":\"sleep\",\"maxAttempts\":1,\"payload\":{}},{\"type\":\"noop\"}]}").body()).getString("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(job(lenient).getString("state")));
        assertThat(job(lenient).getJsonObject("result").getJsonObject("failures").keySet()).hasSize(1);

        var waiting = Api.json(Api.enqueue(base, "{\"type\":\"gather\",\"children\":[{\"type\":\"sleep\",\"payload\":{\"ms\":60000}},"
                + "{\"type\":\"sleep\",\"delaySeconds\":0,\"payload\":{\"ms\":60000}}]}").body());
        var cancelled = Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve("api/jobs/" + waiting.getString("id"))).DELETE()
                .header("Authorization", Deployed.basic("admin", Deployed.adminPassword())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(Api.json(cancelled.body()).getString("was")).isEqualTo("waiting-children");
        for (var child : waiting.getJsonArray("children").getValuesAs(JsonObject.class)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> "cancelled".equals(job(child.getString("id")).getString("state")));
        }
    }

    @Test
    void aQueuesEventsStreamEachJobsLifeAndResumeAfterTheLastEventSeen() throws Exception {
        var basic = Deployed.basic("admin", Deployed.adminPassword());
        try (var live = new SseReader(base.resolve("api/jobs/events?queue=default"), "Authorization", basic)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> live.status == 200);
            var id = Api.json(Api.enqueue(base, "{\"type\":\"sleep\",\"payload\":{\"ms\":400,\"steps\":2}}").body()).getString("id");
            await().atMost(Duration.ofSeconds(30)).until(() -> ofJob(live, id).contains("succeeded"));
            assertThat(ofJob(live, id)).containsExactly("enqueued", "started", "progress", "progress", "succeeded");
            var started = live.events.stream().filter(e -> e.json().getString("job").equals(id) && e.json().getString("event").equals("started"))
                    .findFirst().orElseThrow();
            assertThat(started.json().getInt("attempt")).isEqualTo(1);
            try (var resumed = new SseReader(base.resolve("api/jobs/events?queue=default"), "Authorization", basic, "Last-Event-ID", started.id())) {
                await().atMost(Duration.ofSeconds(10)).until(() -> ofJob(resumed, id).contains("succeeded"));
                assertThat(ofJob(resumed, id)).as("after the event it names").containsExactly("progress", "progress", "succeeded");
            }
        }
        // several queues on one stream: each event's id is every queue's place
        var other = "events-" + java.util.UUID.randomUUID().toString().substring(0, 8); // no node works on it: its jobs stay queued
        try (var both = new SseReader(base.resolve("api/jobs/events?queue=default&queue=" + other), "Authorization", basic)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> both.status == 200);
            var waiting = Api.json(Api.enqueue(base, "{\"type\":\"noop\",\"queue\":\"" + other + "\"}").body()).getString("id");
            var done = Api.json(Api.enqueue(base, "{\"type\":\"noop\"}").body()).getString("id");
            await().atMost(Duration.ofSeconds(30)).until(() -> ofJob(both, done).contains("succeeded") && ofJob(both, waiting).contains("enqueued"));
            var enqueuedThere = both.events.stream().filter(e -> e.json().getString("job").equals(waiting)).findFirst().orElseThrow();
            assertThat(enqueuedThere.json().getString("queue")).isEqualTo(other);
            assertThat(enqueuedThere.id()).contains(other + "=");
            try (var resumed = new SseReader(base.resolve("api/jobs/events?queue=default&queue=" + other), "Authorization", basic,
                    "Last-Event-ID", enqueuedThere.id())) {
                var later = Api.json(Api.enqueue(base, "{\"type\":\"noop\",\"queue\":\"" + other + "\"}").body()).getString("id");
                await().atMost(Duration.ofSeconds(10)).until(() -> ofJob(resumed, later).contains("enqueued"));
                assertThat(ofJob(resumed, waiting)).as("not again").isEmpty();
            }
            Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve("api/jobs/" + waiting)).DELETE().header("Authorization", basic).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        Api.assertProblem(Deployed.get(base.resolve("api/jobs/events?queue=default&queue=" + "q2"), "Authorization", basic,
                "Last-Event-ID", "elsewhere=1-0:0"), 400);
        Api.assertProblem(get("api/jobs/events"), 400);
        Api.assertProblem(get("api/jobs/events?queue=bad%20queue"), 400);
        var badId = Deployed.get(base.resolve("api/jobs/events?queue=default"), "Authorization", Deployed.basic("admin", Deployed.adminPassword()),
                "Last-Event-ID", "yesterday");
        Api.assertProblem(badId, 400);
        var anonymous = Deployed.get(base.resolve("api/jobs/events?queue=default"));
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    /** The kinds of the events a reader got of one job, in order. */
    private static List<String> ofJob(SseReader reader, String job) {
        return reader.events.stream().map(SseReader.Event::json).filter(e -> e.getString("job", "").equals(job)).map(e -> e.getString("event")).toList();
    }

    @Test
    void badRequestsAreRefusedWithProblemJsonAndNothingIsEnqueued() throws Exception {
        var bodies = List.of("{", "[]", "\"x\"", "{\"type\":\"no-such-type\"}", "{\"type\":1}", "{}",
                "{\"type\":\"noop\",\"queue\":\"bad queue\"}",
                "{\"type\":\"noop\",\"maxAttempts\":0}", "{\"type\":\"noop\",\"maxAttempts\":1.5}",
                "{\"type\":\"noop\",\"timeoutSeconds\":-1}", "{\"type\":\"noop\",\"delaySeconds\":-5}",
                "{\"type\":\"noop\",\"delaySeconds\":5,\"runAt\":\"2030-01-01T00:00:00Z\"}", "{\"type\":\"noop\",\"runAt\":\"tomorrow\"}",
                "{\"type\":\"noop\",\"uniqueKey\":\"\"}",
                "{\"type\":\"noop\",\"payload\":\"" + "x".repeat(600_000) + "\"}",
                "{\"type\":\"noop\",\"payload\":" + "[".repeat(30_000) + "]".repeat(30_000) + "}",
                "{\"type\":\"noop\",\"children\":[]}", "{\"type\":\"noop\",\"children\":[1]}",
                "{\"type\":\"noop\",\"children\":[{\"type\":\"no-such-type\"}]}",
                "{\"type\":\"noop\",\"children\":[{\"type\":\"noop\",\"delaySeconds\":5}]}",
                "{\"type\":\"noop\",\"continueOnChildFailure\":\"yes\",\"children\":[{\"type\":\"noop\"}]}",
                "{\"type\":\"noop\",\"children\":[" + "{\"type\":\"noop\"},".repeat(1000) + "{\"type\":\"noop\"}]}",
                deep(7));
        for (var body : bodies) {
            var response = Api.enqueue(base, body);
            assertThat(response.statusCode()).as(body.length() > 60 ? body.substring(0, 60) + "…" : body).isEqualTo(400);
            Api.assertProblem(response, 400);
        }
        var anonymous = Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve("api/jobs")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"noop\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(get("api/jobs/not-a-job").statusCode()).isEqualTo(404);
        assertThat(get("api/jobs/00000000-0000-0000-0000-000000000000").statusCode()).isEqualTo(404);
        var field = Api.json(Api.enqueue(base, "{\"type\":\"noop\",\"children\":[{\"type\":\"noop\"},{\"type\":\"nope\"}]}").body());
        assertThat(field.getJsonArray("errors").getJsonObject(0).getString("field")).as("a child's field, by its path").isEqualTo("children[1].type");
    }

    /** A flow whose children nest {@code levels} deep, one child each. */
    private static String deep(int levels) {
        var body = "{\"type\":\"noop\"}";
        for (int i = 0; i < levels; i++) {
            body = "{\"type\":\"noop\",\"children\":[" + body + "]}";
        }
        return body;
    }

    @Test
    void aUniqueKeyAnswersTheSameJobAndADelayedJobCanBeCancelled() throws Exception {
        var key = "report-" + System.nanoTime();
        var first = Api.enqueue(base, "{\"type\":\"noop\",\"delaySeconds\":3600,\"uniqueKey\":\"" + key + "\"}");
        var second = Api.enqueue(base, "{\"type\":\"noop\",\"delaySeconds\":3600,\"uniqueKey\":\"" + key + "\"}");
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(second.statusCode()).as("not created again").isEqualTo(200);
        var id = Api.json(first.body()).getString("id");
        assertThat(Api.json(second.body()).getString("id")).isEqualTo(id);
        assertThat(Api.json(first.body()).getString("state")).isEqualTo("scheduled");

        var cancelled = Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve("api/jobs/" + id))
                .header("Authorization", Deployed.basic("admin", Deployed.adminPassword())).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(cancelled.statusCode()).isEqualTo(200);
        assertThat(Api.json(cancelled.body()).getString("was")).isEqualTo("scheduled");
        assertThat(job(id).getString("state")).isEqualTo("cancelled");
    }

    @Test
    void aPausedQueueKeepsItsJobsUntilItIsResumed() throws Exception {
        try {
            var paused = post("api/jobs/queues/default/pause");
            assertThat(paused.statusCode()).isEqualTo(200);
            assertThat(Api.json(paused.body()).getBoolean("paused")).isTrue();
            var id = Api.json(Api.enqueue(base, "{\"type\":\"noop\"}").body()).getString("id");
            Thread.sleep(2500); // the workers poll and block in one-second turns
            assertThat(job(id).getString("state")).isEqualTo("queued");
            assertThat(Api.json(post("api/jobs/queues/default/resume").body()).getBoolean("paused")).isFalse();
            await().atMost(Duration.ofSeconds(20)).until(() -> "succeeded".equals(job(id).getString("state")));
        } finally {
            post("api/jobs/queues/default/resume"); // never leave the shared queue paused for the other tests
        }
        assertThat(post("api/jobs/queues/bad%20queue/pause").statusCode()).isEqualTo(400);
    }

    @Test
    void theQueuesDeadAndScheduledJobsAreListedAndActedOn() throws Exception {
        // a queue no node works on: its jobs wait, and it shows their number and the age of the oldest
        var idle = "idle-" + System.nanoTime();
        Api.enqueue(base, "{\"type\":\"noop\",\"queue\":\"" + idle + "\"}");
        Api.enqueue(base, "{\"type\":\"noop\",\"queue\":\"" + idle + "\"}");
        Thread.sleep(50);
        var queue = Api.json(get("api/jobs/queues").body()).getJsonArray("queues").getValuesAs(JsonObject.class)
                .stream().filter(q -> q.getString("queue").equals(idle)).findFirst().orElseThrow();
        assertThat(queue.getInt("size")).isEqualTo(2);
        assertThat(queue.getJsonNumber("latency").doubleValue()).isPositive();
        assertThat(queue.getBoolean("paused")).isFalse();
        assertThat(queue.getInt("running") + queue.getInt("scheduled") + queue.getInt("retrying") + queue.getInt("dead")).isZero();
        assertThat(queue.isNull("maxRunning")).as("no limit set for it").isTrue();
        Api.enqueue(base, "{\"type\":\"noop\",\"queue\":\"limited\"}");
        var limited = Api.json(get("api/jobs/queues").body()).getJsonArray("queues").getValuesAs(JsonObject.class)
                .stream().filter(q -> q.getString("queue").equals("limited")).findFirst().orElseThrow();
        assertThat(limited.getInt("maxRunning")).as("switchboard.jobs.max-running.limited of the deployed node").isEqualTo(2);
        assertThat(limited.getString("rate")).isEqualTo("100/1s");
        assertThat(queue.isNull("rate")).isTrue();

        // a poison payload dies at its only attempt; it is listed, retried (dies again), then deleted
        var poison = Api.json(Api.enqueue(base, "{\"type\":\"sleep\",\"payload\":{\"ms\":\"x\"},\"maxAttempts\":1}").body()).getString("id");
        await().atMost(Duration.ofSeconds(20)).until(() -> "dead".equals(job(poison).getString("state")));
        var dead = Api.json(get("api/jobs/dead?limit=500").body());
        assertThat(dead.getJsonArray("jobs").getValuesAs(JsonObject.class)).anySatisfy(j -> {
            assertThat(j.getString("id")).isEqualTo(poison);
            assertThat(j.getString("error")).contains("a sleep job takes");
            assertThat(j.getString("diedAt")).isNotBlank();
        });
        assertThat(post("api/jobs/dead/" + poison + "/retry").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> "dead".equals(job(poison).getString("state")));
        assertThat(job(poison).getInt("attempts")).as("all its attempts again: one").isEqualTo(1);
        assertThat(delete("api/jobs/dead/" + poison).statusCode()).isEqualTo(204);
        assertThat(get("api/jobs/" + poison).statusCode()).isEqualTo(404);
        assertThat(delete("api/jobs/dead/" + poison).statusCode()).isEqualTo(404);
        assertThat(post("api/jobs/dead/" + poison + "/retry").statusCode()).isEqualTo(404);

        // a job scheduled in an hour runs now on request
        var later = Api.json(Api.enqueue(base, "{\"type\":\"noop\",\"delaySeconds\":3600}").body()).getString("id");
        var scheduled = Api.json(get("api/jobs/scheduled?limit=500").body());
        assertThat(scheduled.getJsonArray("jobs").getValuesAs(JsonObject.class)).anySatisfy(j -> {
            assertThat(j.getString("id")).isEqualTo(later);
            assertThat(j.getString("state")).isEqualTo("scheduled");
        });
        assertThat(post("api/jobs/scheduled/" + later + "/run").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> "succeeded".equals(job(later).getString("state")));

        for (var bad : List.of("api/jobs/dead?limit=0", "api/jobs/dead?limit=501", "api/jobs/dead?offset=-1", "api/jobs/scheduled?limit=x",
                "api/jobs/scheduled?offset=99999999999999999999")) {
            Api.assertProblem(get(bad), 400);
        }
        var stats = Api.json(get("api/jobs/stats").body());
        assertThat(stats.getJsonNumber("processed").longValue()).isPositive();
        assertThat(stats.getJsonNumber("failed").longValue()).isGreaterThanOrEqualTo(2);
        assertThat(stats.getInt("workers")).isPositive();
        assertThat(Api.json(get("api/jobs/cron").body()).getJsonArray("schedules")).isEmpty();
    }

    @Test
    void aRunningJobIsInterruptedWhenCancelledAndShownAmongTheBusyWorkersMeanwhile() throws Exception {
        var id = Api.json(Api.enqueue(base, "{\"type\":\"sleep\",\"payload\":{\"ms\":600000,\"steps\":600}}").body()).getString("id");
        await().atMost(Duration.ofSeconds(20)).until(() -> "running".equals(job(id).getString("state")));
        var workers = Api.json(get("api/jobs/workers").body()).getJsonArray("workers").getValuesAs(JsonObject.class);
        assertThat(workers).anySatisfy(w -> assertThat(w.getJsonArray("jobs").getValuesAs(JsonObject.class))
                .anySatisfy(j -> assertThat(j.getString("id")).isEqualTo(id)));
        assertThat(Api.json(delete("api/jobs/" + id).body()).getString("was")).isEqualTo("running");
        await().atMost(Duration.ofSeconds(10)).until(() -> "cancelled".equals(job(id).getString("state")));
        assertThat(job(id).getInt("attempts")).isEqualTo(1);
        var after = Api.json(get("api/jobs/workers").body()).getJsonArray("workers").getValuesAs(JsonObject.class);
        assertThat(after).allSatisfy(w -> assertThat(w.getJsonArray("jobs").getValuesAs(JsonObject.class))
                .noneSatisfy(j -> assertThat(j.getString("id")).isEqualTo(id)));
    }

    private HttpResponse<String> delete(String path) throws Exception {
        return Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve(path))
                .header("Authorization", Deployed.basic("admin", Deployed.adminPassword())).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path) throws Exception {
        return Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve(path))
                .header("Authorization", Deployed.basic("admin", Deployed.adminPassword()))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) {
        return Deployed.get(base.resolve(path), "Authorization", Deployed.basic("admin", Deployed.adminPassword()));
    }

    private JsonObject job(String id) {
        return Api.json(get("api/jobs/" + id).body());
    }
}
