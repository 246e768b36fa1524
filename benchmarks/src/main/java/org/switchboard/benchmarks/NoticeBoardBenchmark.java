package org.switchboard.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
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
    private final ConcurrentLinkedQueue<Rearm> answered = new ConcurrentLinkedQueue<>();
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
        TestServers.pouchDb();
        var baseline = redisBaseline(TestServers.redis().url());

        try (var app = AppNode.start(java.util.Map.of())) {
            base = app.base;
            measure(app);
        }
        System.out.printf("baseline (same run): raw Redis PUBLISH -> subscriber, 1 subscriber, %d messages: p50 %.2f ms, p99 %.2f ms%n",
                baseline.size(), AppNode.percentile(baseline, 50), AppNode.percentile(baseline, 99));
    }

    private void measure(AppNode app) throws Exception {
        var first = put("{\"percent\":0}");
        target = revisionOf(first);
        app.gc();
        var heapBefore = app.heapUsedKiB();
        var rssBefore = app.status("VmRSS");
        var threadsBefore = app.status("Threads");

        var started = System.nanoTime();
        for (int i = 0; i < watcherCount; i++) {
            new Watcher().poll(target);
            if (i % 500 == 499) {
                Thread.sleep(100); // stay under the listen backlog
            }
        }
        var held = awaitWatchers(watcherCount, Duration.ofSeconds(180));
        System.out.printf("Notice-board benchmark: %d long-poll watchers on one board, %d updates, one Payara Micro node (-Xmx1g)%n",
                watcherCount, updates);
        System.out.printf("watchers held:          %d / %d (all registered %.1f s after the first connect)%n",
                held, watcherCount, (System.nanoTime() - started) / 1e9);
        app.gc();
        var heapWith = app.heapUsedKiB();
        var rssWith = app.status("VmRSS");
        var threadsWith = app.status("Threads");

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
            for (Rearm r; (r = answered.poll()) != null; ) {
                r.watcher().poll(r.revision());
            }
            awaitWatchers(watcherCount, Duration.ofSeconds(120));
            rearmSeconds.add((System.nanoTime() - rearmStarted) / 1e9);
        }
        var all = new ArrayList<>(latencies);
        System.out.printf("delivery latency:       p50 %.1f ms, p99 %.1f ms, max %.1f ms (post -> watcher response, %d deliveries)%n",
                AppNode.percentile(all, 50), AppNode.percentile(all, 99), AppNode.percentile(all, 100), all.size());
        System.out.printf("re-arm between updates:  all %d polling again within %.1f s on average (not part of the latency)%n",
                watcherCount, rearmSeconds.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
        System.out.printf("app heap used after GC: %d MiB before watchers, %d MiB with them: %.1f KiB per watcher%n",
                heapBefore / 1024, heapWith / 1024, (heapWith - heapBefore) / (double) watcherCount);
        System.out.printf("app RSS:                %d MiB before watchers, %d MiB with them: %.1f KiB per watcher%n",
                rssBefore / 1024, rssWith / 1024, (rssWith - rssBefore) / (double) watcherCount);
        System.out.printf("app JVM threads:        %d before watchers, %d while all %d wait%n", threadsBefore, threadsWith, held);
        System.out.printf("errors:                 %d%n", errors.get());
    }

    /**
     * One watcher: its own keep-alive connection, a long poll at a time, on a virtual thread that blocks
     * on the socket (the JDK's poller waits for all of them). On an answer it records the latency; it
     * polls again after the wave, so that deliveries are measured on their own.
     *
     * <p>A plain HTTP/1.1 exchange rather than {@code java.net.http.HttpClient}: with 10,000
     * connections that client hands every response through one selector thread and its executor, and
     * the load generator, not the node, set the pace (see docs/benchmarks.md).
     */
    private final class Watcher {
        private java.net.Socket socket;
        private java.io.InputStream in;
        private java.io.OutputStream out;

        void poll(long after) {
            Thread.ofVirtual().start(() -> once(after));
        }

        private void once(long after) {
            try {
                if (socket == null) {
                    socket = new java.net.Socket(base.getHost(), base.getPort());
                    socket.setTcpNoDelay(true);
                    in = new java.io.BufferedInputStream(socket.getInputStream(), 2048);
                    out = socket.getOutputStream();
                }
                out.write(("GET " + base.getPath() + "api/boards/" + board + "?after=" + after + "&wait=300 HTTP/1.1\r\nHost: "
                        + base.getHost() + ":" + base.getPort() + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.flush();
                var status = 0;
                var length = -1;
                for (String line; !(line = readLine()).isEmpty(); ) {
                    if (status == 0) {
                        status = Integer.parseInt(line.split(" ")[1]);
                    } else if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                        length = Integer.parseInt(line.substring(15).strip());
                    }
                }
                if (length < 0) {
                    throw new java.io.IOException("no Content-Length");
                }
                var body = new String(in.readNBytes(length), java.nio.charset.StandardCharsets.UTF_8);
                var receivedAt = System.nanoTime();
                if (status != 200) {
                    throw new java.io.IOException("status " + status);
                }
                var revision = revisionOf(body);
                if (revision == target && revision > after) {
                    latencies.add((receivedAt - postedAt) / 1000);
                    answered.add(new Rearm(this, revision));
                    delivered.countDown();
                    return;
                }
                poll(revision);
            } catch (java.io.IOException | RuntimeException e) {
                errors.incrementAndGet();
                try {
                    if (socket != null) {
                        socket.close();
                    }
                } catch (java.io.IOException ignored) {
                    // gone anyway
                }
                socket = null;
                poll(after);
            }
        }

        private String readLine() throws java.io.IOException {
            var line = new StringBuilder();
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) {
                    throw new java.io.EOFException();
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }
    }

    private record Rearm(Watcher watcher, long revision) {
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

    private String put(String json) throws Exception {
        var response = http.send(HttpRequest.newBuilder(base.resolve("api/boards/" + board))
                .header("Content-Type", "application/json").header("Authorization", AppNode.auth())
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("post failed: " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    private String get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", AppNode.auth()).build(),
                HttpResponse.BodyHandlers.ofString()).body();
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
}
