package org.switchboard.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.KeysScanOptions;
import org.switchboard.channels.Channels;
import org.switchboard.testkit.RedisCluster;
import org.switchboard.testkit.RedisServer;
import org.switchboard.testkit.TestServers;
import org.switchboard.ui.support.Api;
import org.switchboard.ui.support.Deployed;
import org.switchboard.ui.support.PayaraNode;
import org.switchboard.ui.support.SseReader;

/**
 * The WAR on a Redis Cluster (three masters, three replicas), two nodes side by side with
 * {@code REDIS_URL=redis-cluster://…}: each pattern through the API, then a failover of a master
 * under load, through which no call may answer anything but success or 503 with {@code Retry-After}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterIT {

    static final String[] ADMIN = {"Authorization", Deployed.basic("admin", Deployed.adminPassword())};

    static RedisCluster cluster;
    static RedissonClient redis;
    static PayaraNode a;
    static PayaraNode b;

    @BeforeAll
    static void start() throws Exception {
        cluster = TestServers.redisCluster();
        redis = cluster.redisson();
        var pg = TestServers.requirePostgres();
        // the load below posts to one room from one address faster than the chat's default limits allow
        var settings = Map.of("REDIS_URL", cluster.url(), "DATABASE_URL", pg.jdbcUrl(), "DATABASE_USER", pg.user(),
                "switchboard.chat.rate.messages", "100000", "switchboard.chat.rate.address-messages", "100000");
        var nodes = PayaraNode.startTogether(settings, settings);
        a = nodes.get(0);
        b = nodes.get(1);
    }

    @AfterAll
    static void stop() {
        for (var node : new PayaraNode[] {a, b}) {
            if (node != null) {
                node.close();
            }
        }
        if (redis != null) {
            redis.shutdown();
        }
    }

    @Test
    void aBoardPostOnOneNodeWakesAWatcherOnTheOther() throws Exception {
        var board = "cluster-" + UUID.randomUUID();
        var first = Api.json(Api.putBoard(a.base(), board, "{\"percent\":1}").body());
        var watcher = Deployed.HTTP.sendAsync(java.net.http.HttpRequest.newBuilder(b.base().resolve("api/boards/" + board
                + "?after=" + first.getInt("revision") + "&wait=30")).build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300);
        assertThat(Api.putBoard(a.base(), board, "{\"percent\":2}").statusCode()).isEqualTo(200);
        var woken = Api.json(watcher.get(30, TimeUnit.SECONDS).body());
        assertThat(woken.getInt("revision")).isEqualTo(first.getInt("revision") + 1);
        assertThat(woken.getJsonObject("value").getInt("percent")).isEqualTo(2);
    }

    @Test
    void aChatMessagePostedOnOneNodeReachesAReaderOnTheOther() throws Exception {
        var room = "cluster-" + UUID.randomUUID().toString().substring(0, 8);
        try (var reader = new SseReader(b.base().resolve("api/chat/rooms/" + room + "/events"))) {
            assertThat(reader.status).isEqualTo(200);
            for (int i = 1; i <= 5; i++) {
                assertThat(Api.postMessage(a.base(), room, "{\"author\":\"a\",\"text\":\"m" + i + "\"}").statusCode()).isEqualTo(201);
            }
            reader.awaitCount(5);
            assertThat(reader.seqs()).containsExactly(1L, 2L, 3L, 4L, 5L);
        }
    }

    @Test
    void aJobEnqueuedOnOneNodeRunsAndShowsItsProgressOnEither() throws Exception {
        var enqueued = Api.enqueue(a.base(), "{\"type\":\"sleep\",\"payload\":{\"ms\":300,\"steps\":3}}");
        assertThat(enqueued.statusCode()).isEqualTo(201);
        var id = Api.json(enqueued.body()).getString("id");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Deployed.get(b.base().resolve("api/jobs/" + id), ADMIN).body())
                .contains("\"state\":\"succeeded\""));
        var board = Api.json(Deployed.get(b.base().resolve("api/boards/job-" + id)).body());
        assertThat(board.getJsonObject("value").getInt("percent")).isEqualTo(100);
    }

    /**
     * Jobs, board posts and chat messages go to both nodes while the master holding their keys is
     * killed. Every answer is a success or a 503 with {@code Retry-After}; every acknowledged job
     * succeeds, the board ends at its last acknowledged value, and a reader that reconnects as a
     * browser does gets every acknowledged message once, in order.
     */
    @Test
    @Order(Integer.MAX_VALUE) // the cluster keeps one master fewer afterwards
    void aMasterKilledUnderLoadCostsNoAnswerButSuccessOr503AndLosesNothingAcknowledged() throws Exception {
        var jobId = Api.json(Api.enqueue(a.base(), "{\"type\":\"noop\"}").body()).getString("id");
        // the master of the job queue, and a board and a chat room whose key and channel it serves too
        var doomed = masterOfKeyNaming(jobId);
        var board = nameOnMaster(doomed, "failover-board-", name -> Api.putBoard(a.base(), name, "{\"n\":0}"));
        var room = roomOnMaster(doomed);
        assertThat(Api.postMessage(a.base(), room, "{\"author\":\"x\",\"text\":\"m0\"}").statusCode()).isEqualTo(201);

        var tally = new Tally();
        var jobs = new ConcurrentLinkedQueue<String>();
        var messages = new CopyOnWriteArrayList<String>(List.of("m0"));
        var lastBoard = new AtomicReference<>(0);
        var nodes = List.of(a.base(), b.base());
        var reader = new ResumingReader(b.base().resolve("api/chat/rooms/" + room + "/events?after=0&name=reader"));
        var start = System.nanoTime();
        try (var load = Executors.newVirtualThreadPerTaskExecutor()) {
            var done = new java.util.concurrent.atomic.AtomicBoolean();
            load.submit(() -> {
                for (int i = 0; !done.get(); i++) {
                    var node = nodes.get(i % 2);
                    tally.call("jobs", () -> Api.enqueue(node, "{\"type\":\"noop\"}")).ifPresent(r -> jobs.add(Api.json(r.body()).getString("id")));
                }
                return null;
            });
            load.submit(() -> {
                for (int i = 1; !done.get(); i++) {
                    var node = nodes.get(i % 2);
                    var n = i;
                    tally.call("boards", () -> Api.putBoard(node, board, "{\"n\":" + n + "}")).ifPresent(r -> lastBoard.set(n));
                }
                return null;
            });
            load.submit(() -> {
                for (int i = 1; !done.get(); i++) {
                    var node = nodes.get(i % 2);
                    var text = "m" + i;
                    tally.call("chat", () -> Api.postMessage(node, room, "{\"author\":\"x\",\"text\":\"" + text + "\"}"))
                            .ifPresent(r -> messages.add(text));
                    Thread.sleep(20);
                }
                return null;
            });
            Thread.sleep(3000);
            doomed.kill();
            var killedAt = System.nanoTime();
            var before = tally.successes.get();
            // the load goes on until the replica has taken over and calls succeeded many times since
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> tally.successes.get() - before >= 300
                    && System.nanoTime() - killedAt > TimeUnit.SECONDS.toNanos(10));
            done.set(true);
        }
        var loadSeconds = (System.nanoTime() - start) / 1e9;

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> jobs.stream().allMatch(id -> "succeeded".equals(state(a.base(), id))));
        var finalBoard = Api.json(Deployed.get(b.base().resolve("api/boards/" + board)).body());
        reader.awaitText(messages.getLast());
        reader.close();

        var texts = reader.texts();
        System.out.printf("the master of the queue, the board and the room's channel killed under load (%.1f s, 2 nodes on a Redis Cluster): answers %s, the slowest call per kind (ms) %s; %d jobs acknowledged, all succeeded; "
                + "board at n=%d (last acknowledged %d); the reader got %d of %d acknowledged messages in %d stream(s)%n",
                loadSeconds, new TreeMap<>(tally.answers), new TreeMap<>(tally.slowest), jobs.size(), finalBoard.getJsonObject("value").getInt("n"), lastBoard.get(),
                texts.stream().filter(messages::contains).count(), messages.size(), reader.streams.get());
        assertThat(tally.failures).as("answers other than success or 503 with Retry-After").isEmpty();
        assertThat(finalBoard.getJsonObject("value").getInt("n")).as("the board's last acknowledged post is kept").isEqualTo(lastBoard.get());
        assertThat(texts).as("each message once").doesNotHaveDuplicates();
        assertThat(texts).as("every acknowledged message, in order").containsSubsequence(messages);
    }

    /** The master that holds the key whose name contains {@code part}, found by scanning the cluster's keys. */
    private static RedisServer masterOfKeyNaming(String part) {
        var keys = new ArrayList<String>();
        redis.getKeys().getKeys(KeysScanOptions.defaults().pattern("*" + part + "*")).forEach(keys::add);
        assertThat(keys).as("keys naming " + part).isNotEmpty();
        return cluster.masterOf(keys.getFirst());
    }

    /** A fresh name, made by {@code create}, whose keys all live on {@code master}. */
    private static String nameOnMaster(RedisServer master, String prefix, ThrowingCall create) throws Exception {
        for (int attempt = 0; attempt < 60; attempt++) {
            var name = prefix + UUID.randomUUID().toString().substring(0, 8);
            assertThat(create.call(name).statusCode()).isBetween(200, 201);
            var keys = new ArrayList<String>();
            redis.getKeys().getKeys(KeysScanOptions.defaults().pattern("*" + name + "*")).forEach(keys::add);
            if (!keys.isEmpty() && keys.stream().allMatch(key -> cluster.masterOf(key).port() == master.port())) {
                return name;
            }
        }
        throw new IllegalStateException("no " + prefix + " name landed on the master at port " + master.port());
    }

    /** The answers of the calls made under load, by kind and status, and the slowest call of each kind. */
    static final class Tally {

        final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
        /** Per kind, the longest call in ms. */
        final Map<String, Long> slowest = new ConcurrentHashMap<>();
        final List<String> failures = new CopyOnWriteArrayList<>();
        final AtomicInteger successes = new AtomicInteger();

        /** The answer when it is a success; empty for a 503 with Retry-After; anything else is a failure kept for the assertion. */
        Optional<HttpResponse<String>> call(String kind, Callable<HttpResponse<String>> call) {
            var start = System.nanoTime();
            HttpResponse<String> response;
            try {
                response = call.call();
            } catch (Exception e) {
                failures.add(kind + ": " + e);
                return Optional.empty();
            }
            slowest.merge(kind, (System.nanoTime() - start) / 1_000_000, Math::max);
            var status = response.statusCode();
            answers.computeIfAbsent(kind + " " + status, k -> new AtomicInteger()).incrementAndGet();
            if (status == 503 && response.headers().firstValue("Retry-After").isPresent()) {
                return Optional.empty();
            }
            if (status != 200 && status != 201) {
                failures.add(kind + ": " + response.request().method() + " " + response.request().uri().getPath() + " answered " + status + ": " + response.body());
                return Optional.empty();
            }
            successes.incrementAndGet();
            return Optional.of(response);
        }
    }

    /** A room whose live channel (sharded on a cluster: one of several, by the room's name) {@code master} serves. */
    private static String roomOnMaster(RedisServer master) {
        for (int attempt = 0; attempt < 200; attempt++) {
            var room = "fo-" + UUID.randomUUID().toString().substring(0, 8);
            if (cluster.masterOf("switchboard:chat:live:{chat-" + Channels.bucket(room) + "}").port() == master.port()) {
                return room;
            }
        }
        throw new IllegalStateException("no room's channel landed on the master at port " + master.port());
    }

    interface ThrowingCall {
        HttpResponse<String> call(String name) throws Exception;
    }

    private static String state(URI base, String id) {
        var response = Deployed.get(base.resolve("api/jobs/" + id), ADMIN);
        return response.statusCode() == 200 ? Api.json(response.body()).getString("state") : "answered " + response.statusCode();
    }

    /** A chat reader that reconnects with {@code Last-Event-ID} whenever its stream ends, as a browser's EventSource does. */
    static final class ResumingReader implements AutoCloseable {

        private final URI uri;
        private final List<SseReader.Event> events = new CopyOnWriteArrayList<>();
        final AtomicInteger streams = new AtomicInteger();
        private final Thread thread;
        private volatile boolean closed;

        ResumingReader(URI uri) {
            this.uri = uri;
            thread = Thread.ofVirtual().start(this::read);
        }

        private void read() {
            String last = null;
            while (!closed) {
                try (var stream = last == null ? new SseReader(uri) : new SseReader(uri, "Last-Event-ID", last)) {
                    streams.incrementAndGet();
                    var seen = 0;
                    while (!stream.ended && !closed) {
                        var now = stream.events;
                        while (seen < now.size()) {
                            var event = now.get(seen++);
                            events.add(event);
                            last = event.id();
                        }
                        Thread.sleep(20);
                    }
                    var now = stream.events;
                    while (seen < now.size()) {
                        var event = now.get(seen++);
                        events.add(event);
                        last = event.id();
                    }
                    Thread.sleep(200);
                } catch (Exception e) {
                    if (closed) {
                        return;
                    }
                }
            }
        }

        List<String> texts() {
            return events.stream().map(e -> e.json().getString("text")).toList();
        }

        void awaitText(String text) {
            await().atMost(Duration.ofSeconds(60)).until(() -> texts().contains(text));
        }

        @Override
        public void close() {
            closed = true;
            thread.interrupt();
        }
    }
}
