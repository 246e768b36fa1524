package org.switchboard.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.switchboard.testkit.TestServers;

/**
 * Two Payara Micro instances side by side, as in production: one Redis, one CouchDB and one
 * PostgreSQL database (the embedded H2 file serves one process only). Started by hand beside the
 * node Arquillian manages.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoNodesIT {

    static PayaraNode a;
    static PayaraNode b;
    static PayaraNode c;
    static Map<String, String> database;

    @BeforeAll
    static void start() throws Exception {
        var pg = TestServers.requirePostgres();
        database = Map.of("DATABASE_URL", pg.jdbcUrl(), "DATABASE_USER", pg.user(),
                // every node fires this schedule; its jobs wait in a queue no node works on, to be counted
                "switchboard.jobs.cron.twonodes", "*/2 * * * * *; cron-check; noop");
        try (var starting = Executors.newFixedThreadPool(2)) {
            var first = starting.submit(() -> PayaraNode.start(database));
            var second = starting.submit(() -> PayaraNode.start(database));
            a = first.get(6, TimeUnit.MINUTES);
            b = second.get(6, TimeUnit.MINUTES);
        }
    }

    @AfterAll
    static void stop() {
        for (var node : new PayaraNode[] {a, b, c}) {
            if (node != null) {
                node.close();
            }
        }
    }

    @Test
    @Order(1)
    void aBoardPostOnOneNodeWakesAWatcherOnTheOther() throws Exception {
        var board = "two-" + UUID.randomUUID();
        var first = PlatformIT.json(BoardsIT.put(a.base(), board, "{\"percent\":1}").body());
        var watchers = new ArrayList<CompletableFuture<HttpResponse<String>>>();
        for (var node : List.of(b.base(), a.base())) {
            watchers.add(Deployed.HTTP.sendAsync(HttpRequest.newBuilder(node.resolve("api/boards/" + board
                    + "?after=1&epoch=" + first.getString("epoch") + "&wait=60")).build(), HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(500);
        assertThat(watchers).noneMatch(CompletableFuture::isDone);
        BoardsIT.put(a.base(), board, "{\"percent\":2}");
        for (var response : watchers) {
            assertThat(PlatformIT.json(response.get(20, TimeUnit.SECONDS).body()).getInt("revision")).isEqualTo(2);
        }
        var watcher = Deployed.HTTP.sendAsync(HttpRequest.newBuilder(a.base().resolve("api/boards/" + board + "?after=2&wait=60")).build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300);
        BoardsIT.put(b.base(), board, "{\"percent\":3}");
        assertThat(PlatformIT.json(watcher.get(20, TimeUnit.SECONDS).body()).getInt("revision")).isEqualTo(3);
    }

    @Test
    @Order(2)
    void chatMessagesPostedOnBothNodesReachReadersOnBothInOneGaplessOrder() throws Exception {
        var room = "two-" + UUID.randomUUID().toString().substring(0, 8);
        try (var onA = new SseReader(a.base().resolve("api/chat/rooms/" + room + "/events"));
             var onB = new SseReader(b.base().resolve("api/chat/rooms/" + room + "/events"))) {
            assertThat(ChatIT.post(a.base(), room, "{\"author\":\"ann\",\"text\":\"from a\"}").statusCode()).isEqualTo(201);
            onB.awaitCount(1);
            assertThat(onB.events.getFirst().json().getString("text")).isEqualTo("from a");
            assertThat(ChatIT.post(b.base(), room, "{\"author\":\"bob\",\"text\":\"from b\"}").statusCode()).isEqualTo(201);
            onA.awaitCount(2);
            assertThat(onA.events.get(1).json().getString("text")).isEqualTo("from b");

            // posters on both nodes at once: one gapless order, the same on every reader
            var created = new ConcurrentLinkedQueue<Long>();
            try (var pool = Executors.newFixedThreadPool(4)) {
                var futures = new ArrayList<java.util.concurrent.Future<?>>();
                for (int p = 0; p < 4; p++) {
                    var node = p % 2 == 0 ? a.base() : b.base();
                    var author = "p" + p;
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < 15; i++) {
                            var response = ChatIT.post(node, room, "{\"author\":\"" + author + "\",\"text\":\"" + i + "\"}");
                            assertThat(response.statusCode()).isEqualTo(201);
                            created.add(PlatformIT.json(response.body()).getJsonNumber("seq").longValue());
                        }
                        return null;
                    }));
                }
                for (var f : futures) {
                    f.get(2, TimeUnit.MINUTES);
                }
            }
            var all = LongStream.rangeClosed(1, 62).boxed().toList();
            assertThat(created).containsExactlyInAnyOrderElementsOf(all.subList(2, 62));
            await().atMost(Duration.ofSeconds(30)).until(() -> onA.events.size() >= 62 && onB.events.size() >= 62);
            assertThat(onA.seqs()).containsExactlyElementsOf(all);
            assertThat(onB.seqs()).containsExactlyElementsOf(all);
            assertThat(onA.events).isEqualTo(onB.events);
        }
    }

    @Test
    @Order(3)
    void aNodeKilledWhilePostingLosesNoAcknowledgedMessage() throws Exception {
        var room = "kill-" + UUID.randomUUID().toString().substring(0, 8);
        var acknowledged = new ConcurrentLinkedQueue<Long>();
        try (var onA = new SseReader(a.base().resolve("api/chat/rooms/" + room + "/events"))) {
            var poster = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 10_000; i++) {
                    try {
                        var response = ChatIT.post(b.base(), room, "{\"author\":\"victim-" + (i / 15) + "\",\"text\":\"" + i + "\"}");
                        if (response.statusCode() == 201) {
                            acknowledged.add(PlatformIT.json(response.body()).getJsonNumber("seq").longValue());
                        }
                    } catch (Exception nodeGone) {
                        return;
                    }
                }
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 20);
            b.kill(); // mid-stream: some posts were committed and never published, or never answered
            poster.join(Duration.ofSeconds(30));
            assertThat(acknowledged).isNotEmpty();
            // every stored message (all acknowledged ones, and any committed whose answer the kill cut off)
            // reaches the reader on the other node, in one gapless order
            var stored = Deployed.get(a.base().resolve("api/chat/rooms/" + room + "/messages?limit=500")).body();
            var storedCount = PlatformIT.jsonArray(stored).size();
            await().atMost(Duration.ofSeconds(30)).until(() -> onA.events.size() >= storedCount);
            var seqs = onA.seqs();
            assertThat(seqs).containsAll(acknowledged);
            assertThat(seqs).containsExactlyElementsOf(LongStream.rangeClosed(1, storedCount).boxed().toList());
        }
    }

    @Test
    @Order(4)
    void aNodeKilledWhileRunningSleepJobsLosesNoneAndTheOtherRunsThemAgain() throws Exception {
        // a third node with a short heartbeat, so that its death is noticed in 5 s; node a works on the same queue
        var settings = new java.util.HashMap<>(database);
        settings.put("switchboard.jobs.heartbeat-seconds", "5");
        settings.put("switchboard.jobs.queues", "default:20");
        c = PayaraNode.start(settings);
        var ids = new ArrayList<String>();
        for (int i = 0; i < 1000; i++) {
            var response = JobsIT.enqueue(c.base(), "{\"type\":\"sleep\",\"payload\":{\"ms\":500}}");
            assertThat(response.statusCode()).isEqualTo(201);
            ids.add(PlatformIT.json(response.body()).getString("id"));
        }
        // a runs 10 at a time: more than 25 running means the third node holds at least 15
        await().atMost(Duration.ofSeconds(60)).until(() -> queue(a, "default").getInt("running") >= 25);
        c.kill(); // SIGKILL with up to 20 jobs running: no graceful shutdown, nothing put back by itself
        await().atMost(Duration.ofMinutes(3)).until(() -> {
            var q = queue(a, "default");
            return q.getInt("size") == 0 && q.getInt("running") == 0;
        });
        var attempts = new java.util.TreeMap<Integer, Integer>();
        for (var id : ids) {
            var job = PlatformIT.json(Deployed.get(a.base().resolve("api/jobs/" + id), "Authorization",
                    Deployed.basic("admin", Deployed.adminPassword())).body());
            assertThat(job.getString("state")).as(id).isEqualTo("succeeded");
            attempts.merge(job.getInt("attempts"), 1, Integer::sum);
        }
        var again = ids.size() - attempts.getOrDefault(1, 0);
        System.out.println("kill -9 of a node running 1000 sleep jobs: 1000 of 1000 succeeded; " + again
                + " ran more than once (attempts: " + attempts + ")");
        assertThat(again).as("the jobs the killed node held ran again, and only those").isPositive().isLessThanOrEqualTo(60); // 20 running, and any finished whose acknowledgement the kill cut off
    }

    @Test
    @Order(5)
    void aCronTickIsEnqueuedOnceHoweverManyNodesFireIt() throws Exception {
        // nodes a, b and c fired every 2 s during the tests: one job per tick, never two
        var config = new org.redisson.config.Config();
        config.useSingleServer().setAddress(TestServers.redis().url());
        var redis = org.redisson.Redisson.create(config);
        try {
            // a tick's job has the same id on every node, so a tick enqueued twice shows as a repeated id
            var jobs = redis.getList("switchboard:{jobs}:queue:cron-check", org.redisson.client.codec.StringCodec.INSTANCE).readAll();
            System.out.println("cron on several nodes: " + jobs.size() + " jobs, " + new java.util.HashSet<>(jobs).size() + " distinct ticks");
            assertThat(jobs).hasSizeGreaterThanOrEqualTo(5).doesNotHaveDuplicates();
        } finally {
            redis.shutdown();
        }
    }

    private static jakarta.json.JsonObject queue(PayaraNode node, String name) {
        var body = Deployed.get(node.base().resolve("api/jobs/queues"), "Authorization", Deployed.basic("admin", Deployed.adminPassword())).body();
        return PlatformIT.json(body).getJsonArray("queues").getValuesAs(jakarta.json.JsonObject.class).stream()
                .filter(q -> q.getString("queue").equals(name)).findFirst()
                .orElse(jakarta.json.Json.createObjectBuilder().add("size", 0).add("running", 0).build());
    }
}
