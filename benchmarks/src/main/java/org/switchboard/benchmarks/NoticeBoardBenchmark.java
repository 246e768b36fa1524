package org.switchboard.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.redisson.Redisson;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.switchboard.testkit.FreePort;
import org.switchboard.testkit.ManagedProcess;
import org.switchboard.testkit.TestServers;

/**
 * Starts Switchboard (one Payara Micro node) on a local Redis, opens N concurrent long-poll watchers
 * on one board from this JVM, posts a series of updates and measures, for each update, the time from
 * the post to each watcher's response. Prints the application's heap, RSS and threads while all
 * watchers wait, and a raw Redis pub/sub baseline measured in the same run.
 *
 * <p>Run with {@code benchmarks/noticeboard [watchers] [updates]}; see docs/benchmarks.md.
 */
public final class NoticeBoardBenchmark {

    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final String PASSWORD = "bench-" + Long.toHexString(System.nanoTime());

    private final int watcherCount;
    private final int updates;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30)).build();
    private URI base;
    private final String board = "bench";
    private volatile long target;
    private volatile long postedAt;
    private volatile CountDownLatch delivered = new CountDownLatch(0);
    private final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    private final AtomicInteger errors = new AtomicInteger();
    /** Watchers answered in the current wave, re-armed once the wave is over. */
    private final ConcurrentLinkedQueue<Long> answered = new ConcurrentLinkedQueue<>();
    private final List<Double> rearmSeconds = Collections.synchronizedList(new ArrayList<>());

    private NoticeBoardBenchmark(int watcherCount, int updates) {
        this.watcherCount = watcherCount;
        this.updates = updates;
    }

    public static void main(String[] args) throws Exception {
        var watchers = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        var updates = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        try {
            new NoticeBoardBenchmark(watchers, updates).run();
        } finally {
            TestServers.stopAll();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        var root = Path.of(System.getProperty("switchboard.root", ".")).toAbsolutePath();
        var redis = TestServers.redis();
        var couch = TestServers.pouchDb();
        var baseline = redisBaseline(redis.url());

        var port = FreePort.find();
        var dir = TestServers.tempDir("bench-");
        var command = new ArrayList<String>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
        var extra = System.getenv("APP_JAVA_OPTS"); // e.g. a flight recording
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.strip().split("\\s+")));
        }
        command.addAll(List.of(
                "-DREDIS_URL=" + redis.url(), "-DCOUCHDB_URL=" + couch.url(), "-DDATA_DIR=" + dir.resolve("data"),
                "-DADMIN_PASSWORD=" + PASSWORD,
                "-jar", root.resolve("ui-module/target/runtime/payara-micro.jar").toString(),
                "--deploy", root.resolve("ui-module/target/switchboard.war").toString(), "--contextroot", "/",
                "--port", String.valueOf(port), "--nocluster", "--disablephonehome",
                "--prebootcommandfile", root.resolve("ui-module/src/payara/preboot.asadmin").toString(),
                "--rootdir", dir.resolve("payara").toString()));
        var app = ManagedProcess.start("payara", command, dir);
        try {
            base = URI.create("http://127.0.0.1:" + port + "/");
            awaitReady(app);
            measure(app);
        } finally {
            app.stop();
        }
        System.out.printf("baseline (same run): raw Redis PUBLISH -> subscriber, 1 subscriber, %d messages: p50 %.2f ms, p99 %.2f ms%n",
                baseline.size(), percentile(baseline, 50), percentile(baseline, 99));
    }

    private void measure(ManagedProcess app) throws Exception {
        var first = put("{\"percent\":0}");
        target = revisionOf(first);
        gc(app);
        var heapBefore = heapUsedKiB(app);
        var rssBefore = status(app, "VmRSS");
        var threadsBefore = status(app, "Threads");

        var started = System.nanoTime();
        for (int i = 0; i < watcherCount; i++) {
            poll(target);
            if (i % 500 == 499) {
                Thread.sleep(100); // stay under the listen backlog
            }
        }
        var held = awaitWatchers(watcherCount, Duration.ofSeconds(180));
        System.out.printf("Notice-board benchmark: %d long-poll watchers on one board, %d updates, one Payara Micro node (-Xmx1g)%n",
                watcherCount, updates);
        System.out.printf("watchers held:          %d / %d (all registered %.1f s after the first connect)%n",
                held, watcherCount, (System.nanoTime() - started) / 1e9);
        gc(app);
        var heapWith = heapUsedKiB(app);
        var rssWith = status(app, "VmRSS");
        var threadsWith = status(app, "Threads");

        for (int u = 1; u <= updates; u++) {
            awaitWatchers(watcherCount, Duration.ofSeconds(120));
            delivered = new CountDownLatch(watcherCount);
            target = target + 1;
            postedAt = System.nanoTime();
            put("{\"percent\":" + (u * 100 / updates) + "}");
            if (!delivered.await(120, TimeUnit.SECONDS)) {
                System.out.printf("update %d: only %d of %d watchers answered within 120 s%n", u, watcherCount - delivered.getCount(), watcherCount);
            }
            var rearmStarted = System.nanoTime();
            for (Long revision; (revision = answered.poll()) != null; ) {
                poll(revision);
            }
            awaitWatchers(watcherCount, Duration.ofSeconds(120));
            rearmSeconds.add((System.nanoTime() - rearmStarted) / 1e9);
        }
        var all = new ArrayList<>(latencies);
        System.out.printf("delivery latency:       p50 %.1f ms, p99 %.1f ms, max %.1f ms (post -> watcher response, %d deliveries)%n",
                percentile(all, 50), percentile(all, 99), percentile(all, 100), all.size());
        System.out.printf("re-arm between updates:  all %d polling again within %.1f s on average (not part of the latency)%n",
                watcherCount, rearmSeconds.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
        System.out.printf("app heap used after GC: %d MiB before watchers, %d MiB with them: %.1f KiB per watcher%n",
                heapBefore / 1024, heapWith / 1024, (heapWith - heapBefore) / (double) watcherCount);
        System.out.printf("app RSS:                %d MiB before watchers, %d MiB with them: %.1f KiB per watcher%n",
                rssBefore / 1024, rssWith / 1024, (rssWith - rssBefore) / (double) watcherCount);
        System.out.printf("app JVM threads:        %d before watchers, %d while all %d wait%n", threadsBefore, threadsWith, held);
        System.out.printf("errors:                 %d%n", errors.get());
    }

    /** One watcher: a long poll; on an answer, it records the latency and polls again for the next revision. */
    private void poll(long after) {
        var request = HttpRequest.newBuilder(base.resolve("api/boards/" + board + "?after=" + after + "&wait=300"))
                .timeout(Duration.ofSeconds(400)).build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
            if (failure != null || response.statusCode() != 200) {
                errors.incrementAndGet();
                poll(after);
                return;
            }
            var revision = revisionOf(response.body());
            if (revision == target && revision > after) {
                latencies.add((System.nanoTime() - postedAt) / 1000);
                answered.add(revision);
                delivered.countDown();
                return; // re-armed after the wave, so that deliveries are measured on their own
            }
            poll(revision);
        });
    }

    private int awaitWatchers(int expected, Duration timeout) throws Exception {
        var deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            var body = get("api/system");
            var m = Pattern.compile("\"boardWatchers\":(\\d+)").matcher(body);
            seen = m.find() ? Integer.parseInt(m.group(1)) : 0;
            if (seen >= expected) {
                return seen;
            }
            Thread.sleep(200);
        }
        return seen;
    }

    private void awaitReady(ManagedProcess app) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (!app.isAlive()) {
                throw new IllegalStateException("Payara Micro exited:\n" + app.output());
            }
            try {
                if (http.send(HttpRequest.newBuilder(base.resolve("health/ready")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("not ready:\n" + app.output());
    }

    private String put(String json) throws Exception {
        var response = http.send(HttpRequest.newBuilder(base.resolve("api/boards/" + board))
                .header("Content-Type", "application/json").header("Authorization", auth())
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("post failed: " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    private String get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", auth()).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String auth() {
        return "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    private static long revisionOf(String json) {
        var m = Pattern.compile("\"revision\":(\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Latencies of raw Redis pub/sub, publisher and subscriber in this JVM: the floor under any delivery. */
    private static List<Long> redisBaseline(String url) throws Exception {
        var config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        config.useSingleServer().setAddress(url);
        var redisson = Redisson.create(config);
        try {
            var topic = redisson.getTopic("bench:baseline", StringCodec.INSTANCE);
            var results = Collections.synchronizedList(new ArrayList<Long>());
            var latch = new CountDownLatch[] {null};
            topic.addListener(String.class, (channel, message) -> {
                results.add((System.nanoTime() - Long.parseLong(message)) / 1000);
                latch[0].countDown();
            });
            for (int i = 0; i < 1200; i++) {
                latch[0] = new CountDownLatch(1);
                topic.publish(String.valueOf(System.nanoTime()));
                latch[0].await(5, TimeUnit.SECONDS);
            }
            return new ArrayList<>(results.subList(200, results.size())); // after warm-up
        } finally {
            redisson.shutdown();
        }
    }

    private static double percentile(List<Long> micros, int p) {
        if (micros.isEmpty()) {
            return Double.NaN;
        }
        var sorted = micros.stream().sorted().toList();
        var index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1000.0;
    }

    private static void gc(ManagedProcess app) throws Exception {
        jcmd(app, "GC.run");
        Thread.sleep(500);
    }

    private static long heapUsedKiB(ManagedProcess app) throws Exception {
        var m = HEAP_USED.matcher(jcmd(app, "GC.heap_info"));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String jcmd(ManagedProcess app, String command) throws Exception {
        var process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(app.pid()), command).redirectErrorStream(true).start();
        var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    /** A field of /proc/PID/status in kB (VmRSS) or a count (Threads). */
    private static long status(ManagedProcess app, String field) throws IOException {
        for (var line : Files.readAllLines(Path.of("/proc/" + app.pid() + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").strip());
            }
        }
        return -1;
    }
}
