package org.switchboard.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiConsumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.client.codec.StringCodec;
import org.switchboard.testkit.TestServers;
import org.switchboard.ui.support.Api;
import org.switchboard.ui.support.Deployed;
import org.switchboard.ui.support.PayaraNode;
import org.switchboard.ui.support.SseReader;

/**
 * Two Payara Micro instances side by side, as in production: one Redis (run once more on a Redis
 * Cluster, see the pom), one CouchDB and one PostgreSQL database (the embedded H2 file serves one
 * process only). Started by hand beside the
 * node Arquillian manages. A test that kills node b leaves it dead; the next test starts it again,
 * so the tests run in any order.
 */
class TwoNodesIT {

    static PayaraNode a;
    static PayaraNode b;
    static PayaraNode c;
    static Map<String, String> database;
    /** Node b's settings: on a CouchDB cluster given with several coordinators, b writes through another one than a. */
    static Map<String, String> databaseOfB;

    @BeforeAll
    static void start() throws Exception {
        var pg = TestServers.requirePostgres();
        var settings = new HashMap<>(Map.of("DATABASE_URL", pg.jdbcUrl(), "DATABASE_USER", pg.user(),
                // every node fires this schedule; its jobs wait in a queue no node works on, to be counted
                "switchboard.jobs.cron.twonodes", "*/2 * * * * *; cron-check; noop",
                // the ledger's nodes send their callers' transfers to the deciding node over HTTP
                "switchboard.ledger.relay-url", "http://127.0.0.1:" + PayaraNode.PORT + "/switchboard/api/ledger/relay",
                "switchboard.ledger.relay-secret", UUID.randomUUID().toString()));
        if ("cluster".equals(TestServers.redisTopology())) {
            settings.put("REDIS_URL", TestServers.redisCluster().url()); // the run of these tests on a Redis Cluster
        }
        database = Map.copyOf(settings);
        var ofB = new HashMap<>(database);
        ofB.put("COUCHDB_URL", TestServers.couchDb().fromLast());
        databaseOfB = Map.copyOf(ofB);
        var nodes = PayaraNode.startTogether(database, databaseOfB);
        a = nodes.get(0);
        b = nodes.get(1);
    }

    @Test
    void withTheDatabaseDownTheChatAnswers503AndServesAgainWhenItIsBack() throws Exception {
        var room = "sql-down-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(Api.postMessage(a.base(), room, "{\"author\":\"a\",\"text\":\"before\"}").statusCode()).isEqualTo(201);
        var postgres = TestServers.requirePostgres();
        postgres.stop();
        try {
            Api.assertEveryAnswerIsUnavailable(List.of(
                    HttpRequest.newBuilder(a.base().resolve("api/chat/rooms/" + room + "/messages")).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"author\":\"a\",\"text\":\"lost?\"}")).build(),
                    HttpRequest.newBuilder(a.base().resolve("api/chat/rooms/" + room + "/messages")).build(),
                    HttpRequest.newBuilder(a.base().resolve("api/chat/rooms/" + room + "/messages/1")).build(),
                    HttpRequest.newBuilder(a.base().resolve("api/chat/rooms")).build()));
        } finally {
            postgres.start();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(Deployed.get(a.base().resolve("api/chat/rooms/" + room + "/messages")).statusCode()).isEqualTo(200));
        var history = Api.jsonArray(Deployed.get(a.base().resolve("api/chat/rooms/" + room + "/messages")).body());
        assertThat(history).as("the post refused while the database was down stored nothing").hasSize(1);
    }

    /** Node b again, if a test killed it. */
    @BeforeEach
    void bothNodesUp() {
        if (!b.isAlive()) {
            b = PayaraNode.start(databaseOfB);
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
    void aBoardPostOnOneNodeWakesAWatcherOnTheOther() throws Exception {
        var board = "two-" + UUID.randomUUID();
        var first = Api.json(Api.putBoard(a.base(), board, "{\"percent\":1}").body());
        var watchers = new ArrayList<CompletableFuture<HttpResponse<String>>>();
        for (var node : List.of(b.base(), a.base())) {
            watchers.add(Deployed.HTTP.sendAsync(HttpRequest.newBuilder(node.resolve("api/boards/" + board
                    + "?after=1&epoch=" + first.getString("epoch") + "&wait=60")).build(), HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(500);
        assertThat(watchers).noneMatch(CompletableFuture::isDone);
        Api.putBoard(a.base(), board, "{\"percent\":2}");
        for (var response : watchers) {
            assertThat(Api.json(response.get(20, TimeUnit.SECONDS).body()).getInt("revision")).isEqualTo(2);
        }
        var watcher = Deployed.HTTP.sendAsync(HttpRequest.newBuilder(a.base().resolve("api/boards/" + board + "?after=2&wait=60")).build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300);
        Api.putBoard(b.base(), board, "{\"percent\":3}");
        assertThat(Api.json(watcher.get(20, TimeUnit.SECONDS).body()).getInt("revision")).isEqualTo(3);
    }

    @Test
    void writersOnBothNodesRacingWithIfMatchGetOneWinPerVersion() throws Exception {
        var board = "cas-" + UUID.randomUUID();
        Api.putBoard(a.base(), board, "{\"n\":0}");
        var wins = new ConcurrentLinkedQueue<String>(); // the ETag each successful post was made on
        var refused = new AtomicInteger();
        try (var writers = Executors.newFixedThreadPool(6)) {
            var futures = new ArrayList<Future<?>>();
            for (int w = 0; w < 6; w++) {
                var node = w % 2 == 0 ? a : b;
                futures.add(writers.submit(() -> {
                    for (int i = 0; i < 15; i++) {
                        var etag = Deployed.get(node.base().resolve("api/boards/" + board)).headers().firstValue("ETag").orElseThrow();
                        var answer = Api.putBoard(node.base(), board, "{\"n\":1}", "If-Match", etag);
                        if (answer.statusCode() == 200) {
                            wins.add(etag);
                        } else {
                            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(412);
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (var f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        }
        System.out.println("compare-and-set on two nodes: " + wins.size() + " posts made, " + refused.get() + " refused (412)");
        assertThat(wins).as("one win per version, never two").doesNotHaveDuplicates();
        assertThat(wins.size() + refused.get()).isEqualTo(6 * 15);
        assertThat(Api.json(Deployed.get(b.base().resolve("api/boards/" + board)).body()).getInt("revision"))
                .as("every win is a revision, and nothing else is").isEqualTo(1 + wins.size());
    }

    @Test
    void chatMessagesPostedOnBothNodesReachReadersOnBothInOneGaplessOrder() throws Exception {
        var room = "two-" + UUID.randomUUID().toString().substring(0, 8);
        try (var onA = new SseReader(a.base().resolve("api/chat/rooms/" + room + "/events"));
             var onB = new SseReader(b.base().resolve("api/chat/rooms/" + room + "/events"))) {
            assertThat(Api.postMessage(a.base(), room, "{\"author\":\"ann\",\"text\":\"from a\"}").statusCode()).isEqualTo(201);
            onB.awaitCount(1);
            assertThat(onB.events.getFirst().json().getString("text")).isEqualTo("from a");
            assertThat(Api.postMessage(b.base(), room, "{\"author\":\"bob\",\"text\":\"from b\"}").statusCode()).isEqualTo(201);
            onA.awaitCount(2);
            assertThat(onA.events.get(1).json().getString("text")).isEqualTo("from b");

            // posters on both nodes at once: one gapless order, the same on every reader
            var created = new ConcurrentLinkedQueue<Long>();
            try (var pool = Executors.newFixedThreadPool(4)) {
                var futures = new ArrayList<Future<?>>();
                for (int p = 0; p < 4; p++) {
                    var node = p % 2 == 0 ? a.base() : b.base();
                    var author = "p" + p;
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < 15; i++) {
                            var response = Api.postMessage(node, room, "{\"author\":\"" + author + "\",\"text\":\"" + i + "\"}");
                            assertThat(response.statusCode()).isEqualTo(201);
                            created.add(Api.json(response.body()).getJsonNumber("seq").longValue());
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

    /**
     * The bank test, after Jepsen's: 8 accounts, 6 clients sending random transfers to either node,
     * one in five sent twice (a retry, perhaps to the other node), one client sending its transfers in
     * batches of 10 (half of the batches sent twice), one making two-phase transfers (each reserved,
     * then posted in part or voided, the settlement sent twice every fifth time), node b killed (SIGKILL) mid-run and
     * started again, and on a CouchDB cluster the harness started, one CouchDB node with it. Any
     * answer other than 201 or 422 (a cut connection, 503 still pending) is retried with the same id
     * until one comes. At the end: the money is all there, no account that may not go negative is,
     * every transfer was decided once, and every id kept its first outcome.
     */
    @Test
    void theBankTestHoldsWithANodeKilledAndRestartedMidRun() throws Exception {
        var run = UUID.randomUUID().toString().substring(0, 8);
        var issuer = "bank-issuer-" + run;
        var accounts = new ArrayList<String>();
        assertThat(Api.postAsAdmin(a.base(), "api/ledger/accounts", "{\"id\":\"" + issuer + "\",\"allowNegative\":true}").statusCode()).isEqualTo(201);
        for (int i = 0; i < 8; i++) {
            var account = "bank-" + i + "-" + run;
            accounts.add(account);
            assertThat(Api.postAsAdmin(a.base(), "api/ledger/accounts", "{\"id\":\"" + account + "\"}").statusCode()).isEqualTo(201);
            assertThat(Api.transfer(a.base(), "{\"from\":\"" + issuer + "\",\"to\":\"" + account + "\",\"amount\":1000}").statusCode()).isEqualTo(201);
        }
        var outcomes = new ConcurrentHashMap<String, String>();
        var disagreements = new ConcurrentLinkedQueue<String>();
        var done = new AtomicInteger();
        var retriesAfterFailure = new AtomicInteger();
        var nodes = new AtomicReferenceArray<PayaraNode>(new PayaraNode[] {a, b});
        var batched = new AtomicInteger();
        var twoPhase = new AtomicInteger();
        var atomicBatches = new AtomicInteger();
        var atomicWhole = new AtomicInteger();
        BiConsumer<Integer, Integer> client = (c, count) -> {
            var random = ThreadLocalRandom.current();
            if (c == 5) { // this client sends its transfers in batches of 10, every other one atomic, each sent twice half the time
                for (int start = 0; start < count; start += 10) {
                    var atomic = start / 10 % 2 == 1;
                    var items = new ArrayList<String>();
                    var ids = new ArrayList<String>();
                    for (int i = start; i < Math.min(count, start + 10); i++) {
                        var id = "bank-" + run + "-" + c + "-" + i + "-" + count;
                        var from = accounts.get(random.nextInt(8));
                        var to = accounts.get((accounts.indexOf(from) + 1 + random.nextInt(7)) % 8);
                        ids.add(id);
                        items.add("{\"id\":\"" + id + "\",\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"amount\":" + (1 + random.nextInt(400)) + "}");
                    }
                    var body = "{\"atomic\":" + atomic + ",\"transfers\":[" + String.join(",", items) + "]}";
                    for (int send = 0; send < (start / 20 % 2 == 0 ? 2 : 1); send++) {
                        List<JsonObject> answered = null;
                        while (answered == null) {
                            var node = nodes.get(random.nextInt(2));
                            try {
                                var response = Api.postAsAdmin(node.base(), "api/ledger/transfers/batch", body);
                                var decided = atomic ? Set.of(201, 422).contains(response.statusCode()) : response.statusCode() == 200;
                                var list = decided ? Api.json(response.body()).getJsonArray("transfers").getValuesAs(JsonObject.class) : null;
                                if (list != null && list.stream().noneMatch(o -> "pending".equals(o.getString("status")))) {
                                    answered = list;
                                } else {
                                    retriesAfterFailure.incrementAndGet(); // some still pending, or the node failed: the whole batch again
                                }
                            } catch (Exception nodeDown) {
                                retriesAfterFailure.incrementAndGet();
                            }
                        }
                        if (atomic && answered.stream().map(o -> o.getString("status")).distinct().count() != 1) {
                            disagreements.add("atomic batch " + ids.getFirst() + " decided in part: " + answered);
                        }
                        for (int k = 0; k < ids.size(); k++) {
                            var outcome = answered.get(k).getString("status");
                            if (!outcome.equals("successful") && !outcome.equals("rejected")) {
                                disagreements.add(ids.get(k) + ": " + answered.get(k));
                            }
                            var first = outcomes.putIfAbsent(ids.get(k), outcome);
                            if (first != null && !first.equals(outcome)) {
                                disagreements.add(ids.get(k) + ": " + first + " then " + outcome);
                            }
                        }
                    }
                    batched.addAndGet(ids.size());
                    if (atomic) {
                        atomicBatches.incrementAndGet();
                        if ("successful".equals(outcomes.get(ids.getFirst()))) {
                            atomicWhole.incrementAndGet();
                        }
                    }
                    done.addAndGet(ids.size());
                }
                return;
            }
            if (c == 4) { // this client's transfers are two-phase: reserved, then posted (part of it) or voided
                for (int i = 0; i < count; i++) {
                    var id = "bank-" + run + "-" + c + "-" + i + "-" + count;
                    var from = accounts.get(random.nextInt(8));
                    var to = accounts.get((accounts.indexOf(from) + 1 + random.nextInt(7)) % 8);
                    var amount = 1 + random.nextInt(400);
                    var reserve = "{\"id\":\"" + id + "\",\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"amount\":" + amount
                            + ",\"twoPhase\":true,\"timeoutSeconds\":600}";
                    var reserved = answered(nodes, node -> Api.transfer(node.base(), reserve), Set.of(201, 422), retriesAfterFailure);
                    var post = random.nextBoolean();
                    var step = "api/ledger/transfers/" + id + (post ? "/post" : "/void");
                    var body = post ? "{\"amount\":" + (1 + random.nextInt(amount)) + "}" : "";
                    // each settlement is sent twice every fifth time: a repeat answers the same
                    for (int send = 0; send < (reserved.statusCode() == 422 ? 0 : i % 5 == 0 ? 2 : 1); send++) {
                        var settled = answered(nodes, node -> Api.postAsAdmin(node.base(), step, body), Set.of(200, 201, 409), retriesAfterFailure);
                        var outcome = Api.json(settled.body()).getString(settled.statusCode() == 409 ? "transferStatus" : "status");
                        if (!outcome.equals(post ? "posted" : "voided")) {
                            disagreements.add(id + ": " + settled.statusCode() + " " + settled.body());
                        }
                        var first = outcomes.putIfAbsent(id, outcome);
                        if (first != null && !first.equals(outcome)) {
                            disagreements.add(id + ": " + first + " then " + outcome);
                        }
                    }
                    if (reserved.statusCode() == 422) {
                        outcomes.putIfAbsent(id, "rejected");
                    }
                    twoPhase.incrementAndGet();
                    done.incrementAndGet();
                }
                return;
            }
            for (int i = 0; i < count; i++) {
                var id = "bank-" + run + "-" + c + "-" + i + "-" + count;
                var from = accounts.get(random.nextInt(8));
                var to = accounts.get((accounts.indexOf(from) + 1 + random.nextInt(7)) % 8);
                var body = "{\"id\":\"" + id + "\",\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"amount\":" + (1 + random.nextInt(400)) + "}";
                for (int send = 0; send < (i % 5 == 0 ? 2 : 1); send++) {
                    String outcome = null;
                    while (outcome == null) {
                        var node = nodes.get(random.nextInt(2));
                        try {
                            var response = Api.transfer(node.base(), body);
                            if (response.statusCode() == 201) {
                                outcome = "successful";
                            } else if (response.statusCode() == 422) {
                                outcome = "rejected";
                            } else if (response.statusCode() == 409) {
                                disagreements.add(id + ": 409 " + response.body());
                                outcome = "conflict";
                            } else {
                                retriesAfterFailure.incrementAndGet(); // 503 still pending: ask again
                            }
                        } catch (Exception nodeDown) {
                            retriesAfterFailure.incrementAndGet();
                        }
                    }
                    var first = outcomes.putIfAbsent(id, outcome);
                    if (first != null && !first.equals(outcome)) {
                        disagreements.add(id + ": " + first + " then " + outcome);
                    }
                }
                done.incrementAndGet();
            }
        };
        try (var clients = Executors.newFixedThreadPool(6)) {
            var phase1 = new ArrayList<Future<?>>();
            for (int c = 0; c < 6; c++) {
                int n = c;
                phase1.add(clients.submit(() -> client.accept(n, 250)));
            }
            await().atMost(Duration.ofMinutes(3)).until(() -> done.get() >= 300);
            // on a CouchDB cluster the harness owns, one of its nodes dies too, and comes back
            var couchCluster = TestServers.couchDbCluster();
            couchCluster.ifPresent(cluster -> cluster.kill(cluster.size() - 1));
            b.kill(); // mid-run: requests in flight on b are cut; its clients send them again, to either node
            couchCluster.ifPresent(cluster -> cluster.restart(cluster.size() - 1));
            var restarted = PayaraNode.start(databaseOfB);
            b = restarted;
            nodes.set(1, restarted);
            for (var f : phase1) {
                f.get(10, TimeUnit.MINUTES);
            }
            var phase2 = new ArrayList<Future<?>>();
            for (int c = 0; c < 6; c++) {
                int n = c;
                phase2.add(clients.submit(() -> client.accept(n, 40)));
            }
            for (var f : phase2) {
                f.get(10, TimeUnit.MINUTES);
            }
        }
        var check = Api.json(Deployed.get(a.base().resolve("api/ledger/check"), "Authorization",
                Deployed.basic("admin", Deployed.adminPassword())).body());
        long total = 0;
        for (var account : accounts) {
            var balance = Api.json(Deployed.get(b.base().resolve("api/ledger/accounts/" + account), "Authorization",
                    Deployed.basic("admin", Deployed.adminPassword())).body()).getJsonNumber("balance").longValue();
            assertThat(balance).as(account + " may not go negative").isNotNegative();
            assertThat(Api.json(Deployed.get(b.base().resolve("api/ledger/accounts/" + account), "Authorization",
                    Deployed.basic("admin", Deployed.adminPassword())).body()).getJsonNumber("reserved").longValue())
                    .as(account + ": every reservation settled").isZero();
            total += balance;
        }
        int checked = 0;
        for (var entry : outcomes.entrySet()) {
            if (checked++ % 10 != 0) {
                continue; // one in ten read back: each decided, with the outcome its client saw first
            }
            var stored = Api.json(Deployed.get(a.base().resolve("api/ledger/transfers/" + entry.getKey()), "Authorization",
                    Deployed.basic("admin", Deployed.adminPassword())).body());
            assertThat(stored.getString("status")).as(entry.getKey()).isEqualTo(entry.getValue());
        }
        var rejected = outcomes.values().stream().filter("rejected"::equals).count();
        System.out.println("bank test: " + outcomes.size() + " transfers (" + rejected + " rejected; " + batched.get() + " of them in batches of 10, "
                + atomicBatches.get() + " of those batches atomic, " + atomicWhole.get() + " of which went through whole; "
                + twoPhase.get() + " two-phase, " + outcomes.values().stream().filter("posted"::equals).count() + " posted, "
                + outcomes.values().stream().filter("voided"::equals).count() + " voided), node b killed and restarted"
                + (TestServers.couchDbCluster().isPresent() ? ", a CouchDB node killed and restarted, " : ", ")
                + retriesAfterFailure.get() + " sends repeated after a failure or 503; check ok=" + check.getBoolean("ok")
                + ", decided " + check.getJsonNumber("decided") + ", disagreements " + disagreements.size());
        assertThat(check.getBoolean("ok")).as(check.toString()).isTrue();
        assertThat(total).as("no money made or lost").isEqualTo(8000);
        assertThat(disagreements).as("every retried id kept its first outcome").isEmpty();
        assertThat(outcomes).hasSize(6 * 290);
        assertThat(relayedTo(a) + relayedTo(b)).as("transfers relayed to the deciding node over HTTP").isPositive();
    }

    /** A request to one node. */
    private interface Request {
        HttpResponse<String> to(PayaraNode node) throws Exception;
    }

    /** A request sent to either node until one of them answers with one of {@code codes}; each other answer or failure counted in {@code retries}. */
    private static HttpResponse<String> answered(AtomicReferenceArray<PayaraNode> nodes, Request request, Set<Integer> codes, AtomicInteger retries) {
        while (true) {
            try {
                var response = request.to(nodes.get(ThreadLocalRandom.current().nextInt(2)));
                if (codes.contains(response.statusCode())) {
                    return response;
                }
            } catch (Exception nodeDown) {
                // cut by the kill: sent again
            }
            retries.incrementAndGet();
        }
    }

    /** How many transfers other nodes relayed to this one (its metrics; since it started). */
    private static long relayedTo(PayaraNode node) {
        return Deployed.get(node.base().resolve("metrics")).body().lines()
                .filter(line -> line.startsWith("switchboard_ledger_relayed_total{") && line.contains("direction=\"received\""))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void theLedgersRelayTakesNothingWithoutTheNodesSecret() throws Exception {
        var transfer = "{\"id\":\"relay-x\",\"from\":\"a\",\"to\":\"b\",\"amount\":1,\"timestamp\":1,\"waitMillis\":1000}";
        for (var authorization : new String[] {null, "Bearer wrong", Deployed.basic("admin", Deployed.adminPassword())}) {
            var request = HttpRequest.newBuilder(a.base().resolve("api/ledger/relay")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(transfer));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            Api.assertProblem(Deployed.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()), 401);
        }
        var stored = Deployed.get(a.base().resolve("api/ledger/transfers/relay-x"), "Authorization", Deployed.basic("admin", Deployed.adminPassword()));
        assertThat(stored.statusCode()).as("nothing stored").isEqualTo(404);
    }

    @Test
    void aNodeKilledWhilePostingLosesNoAcknowledgedMessage() throws Exception {
        var room = "kill-" + UUID.randomUUID().toString().substring(0, 8);
        var acknowledged = new ConcurrentLinkedQueue<Long>();
        try (var onA = new SseReader(a.base().resolve("api/chat/rooms/" + room + "/events"))) {
            var poster = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 10_000; i++) {
                    try {
                        var response = Api.postMessage(b.base(), room, "{\"author\":\"victim-" + (i / 15) + "\",\"text\":\"" + i + "\"}");
                        if (response.statusCode() == 201) {
                            acknowledged.add(Api.json(response.body()).getJsonNumber("seq").longValue());
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
            var storedCount = Api.jsonArray(stored).size();
            await().atMost(Duration.ofSeconds(30)).until(() -> onA.events.size() >= storedCount);
            var seqs = onA.seqs();
            assertThat(seqs).containsAll(acknowledged);
            assertThat(seqs).containsExactlyElementsOf(LongStream.rangeClosed(1, storedCount).boxed().toList());
        }
    }

    @Test
    void aNodeKilledWhileRunningSleepJobsLosesNoneAndTheOtherRunsThemAgain() throws Exception {
        // a third node with a short heartbeat, so that its death is noticed in 5 s; node a works on the same queue
        var settings = new HashMap<>(database);
        settings.put("switchboard.jobs.heartbeat-seconds", "5");
        settings.put("switchboard.jobs.queues", "default:20");
        c = PayaraNode.start(settings);
        // ten flows first, each a parent waiting for 30 sleep jobs: they run while the 1000 plain ones are enqueued, and are
        // still running when the node is killed
        var child = "{\"type\":\"sleep\",\"payload\":{\"ms\":2000}}";
        var flows = new ArrayList<String>();
        for (int i = 0; i < 10; i++) {
            var response = Api.enqueue(c.base(), "{\"type\":\"gather\",\"children\":[" + String.join(",", java.util.Collections.nCopies(30, child)) + "]}");
            assertThat(response.statusCode()).isEqualTo(201);
            flows.add(Api.json(response.body()).getString("id"));
        }
        var ids = new ArrayList<String>();
        for (int i = 0; i < 1000; i++) {
            var response = Api.enqueue(c.base(), "{\"type\":\"sleep\",\"payload\":{\"ms\":500}}");
            assertThat(response.statusCode()).isEqualTo(201);
            ids.add(Api.json(response.body()).getString("id"));
        }
        // a runs 10 at a time: more than 25 running means the third node holds at least 15
        await().atMost(Duration.ofSeconds(60)).until(() -> queue(a, "default").getInt("running") >= 25);
        c.kill(); // SIGKILL with up to 20 jobs running: no graceful shutdown, nothing put back by itself
        await().atMost(Duration.ofMinutes(3)).until(() -> {
            var q = queue(a, "default");
            return q.getInt("size") == 0 && q.getInt("running") == 0;
        });
        var attempts = new TreeMap<Integer, Integer>();
        for (var id : ids) {
            var job = Api.json(Deployed.get(a.base().resolve("api/jobs/" + id), "Authorization",
                    Deployed.basic("admin", Deployed.adminPassword())).body());
            assertThat(job.getString("state")).as(id).isEqualTo("succeeded");
            attempts.merge(job.getInt("attempts"), 1, Integer::sum);
        }
        var childrenAgain = 0;
        for (var id : flows) {
            await().atMost(Duration.ofMinutes(1)).until(() -> "succeeded".equals(job(a, id).getString("state")));
            var parent = job(a, id);
            assertThat(parent.getJsonObject("result").getJsonObject("results").keySet()).as(id + ": every child's result").hasSize(30);
            assertThat(parent.getInt("attempts")).as(id + " ran once").isEqualTo(1);
            for (var kid : parent.getJsonArray("children").getValuesAs(JsonObject.class)) {
                var done = job(a, kid.getString("id"));
                assertThat(done.getString("state")).isEqualTo("succeeded");
                assertThat(Instant.parse(parent.getString("startedAt"))).as("after its last child").isAfterOrEqualTo(Instant.parse(done.getString("finishedAt")));
                childrenAgain += done.getInt("attempts") > 1 ? 1 : 0;
            }
        }
        var again = ids.size() - attempts.getOrDefault(1, 0);
        System.out.println("kill -9 of a node running 1000 sleep jobs and 10 flows of 30: 1000 of 1000 succeeded; " + again
                + " ran more than once (attempts: " + attempts + "); every flow's parent ran once after its 30 children, "
                + childrenAgain + " of which ran again");
        // 20 running, and any finished whose acknowledgement the kill cut off
        assertThat(again + childrenAgain).as("the jobs the killed node held ran again, and only those").isPositive().isLessThanOrEqualTo(60);
    }

    @Test
    void aQueuesJobEventsOnOneNodeShowTheJobsEveryNodeRuns() throws Exception {
        var basic = Deployed.basic("admin", Deployed.adminPassword());
        try (var onB = new SseReader(b.base().resolve("api/jobs/events?queue=default"), "Authorization", basic)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> onB.status == 200);
            var ids = new ArrayList<String>();
            for (int i = 0; i < 20; i++) {
                ids.add(Api.json(Api.enqueue(a.base(), "{\"type\":\"sleep\",\"payload\":{\"ms\":200}}").body()).getString("id"));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream().allMatch(id -> onB.events.stream()
                    .anyMatch(e -> e.json().getString("job").equals(id) && e.json().getString("event").equals("succeeded"))));
            for (var id : ids) { // both nodes work on the queue: node b tells of node a's jobs too
                assertThat(onB.events.stream().map(SseReader.Event::json).filter(e -> e.getString("job").equals(id)).map(e -> e.getString("event")))
                        .as(id).containsExactly("enqueued", "started", "progress", "succeeded");
            }
        }
    }

    @Test
    void aCronTickIsEnqueuedOnceHoweverManyNodesFireIt() {
        // every node fires the schedule every 2 s; a tick's job has the same id on every node, so a tick
        // enqueued twice shows as a repeated id in the queue no node works on
        var queue = TestServers.redisson().<String>getList("switchboard:{jobs:cron-check}:queue", StringCodec.INSTANCE);
        await().atMost(Duration.ofSeconds(60)).until(() -> queue.size() >= 5);
        var jobs = queue.readAll();
        System.out.println("cron on several nodes: " + jobs.size() + " jobs, " + new HashSet<>(jobs).size() + " distinct ticks");
        assertThat(jobs).doesNotHaveDuplicates();
    }

    private static JsonObject job(PayaraNode node, String id) {
        return Api.json(Deployed.get(node.base().resolve("api/jobs/" + id), "Authorization", Deployed.basic("admin", Deployed.adminPassword())).body());
    }

    private static JsonObject queue(PayaraNode node, String name) {
        var body = Deployed.get(node.base().resolve("api/jobs/queues"), "Authorization", Deployed.basic("admin", Deployed.adminPassword())).body();
        return Api.json(body).getJsonArray("queues").getValuesAs(JsonObject.class).stream()
                .filter(q -> q.getString("queue").equals(name)).findFirst()
                .orElse(Json.createObjectBuilder().add("size", 0).add("running", 0).build());
    }
}
