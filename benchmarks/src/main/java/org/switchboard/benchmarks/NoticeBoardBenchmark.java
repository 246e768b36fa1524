package org.switchboard.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
    /** Updates posted first and reported apart: the node's first waves run before its JIT has compiled the path. */
    private final int warmup;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30)).build();
    private URI base;
    private final String board = "bench";
    private volatile long target;
    private volatile long postedAt;
    private volatile CountDownLatch delivered = new CountDownLatch(0);
    private final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    private final AtomicInteger errors = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> errorKinds = new ConcurrentHashMap<>();
    /** Watchers answered in the current wave, re-armed once the wave is over. */
    private final ConcurrentLinkedQueue<Rearm> answered = new ConcurrentLinkedQueue<>();
    private Watchers watchers;
    private final List<Double> rearmSeconds = Collections.synchronizedList(new ArrayList<>());

    private NoticeBoardBenchmark(int watcherCount, int updates, int warmup) {
        this.watcherCount = watcherCount;
        this.updates = updates;
        this.warmup = warmup;
    }

    public static void main(String[] args) throws Exception {
        var watchers = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        var updates = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        var warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        try {
            new NoticeBoardBenchmark(watchers, updates, warmup).run();
        } finally {
            TestServers.stopAll();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        TestServers.pouchDb();
        var baseline = redisBaseline(TestServers.redis().url());

        try (var app = AppNode.start(Map.of("switchboard.streams.per-client", "100000000"))) {
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

        watchers = new Watchers();
        var started = System.nanoTime();
        for (int i = 0; i < watcherCount; i++) {
            watchers.poll(new Watcher(), target);
            if (i % 500 == 499) {
                Thread.sleep(100); // stay under the listen backlog
            }
        }
        var held = awaitWatchers(watcherCount, Duration.ofSeconds(180));
        System.out.printf("Notice-board benchmark: %d long-poll watchers on one board, %d updates after %d of warm-up, one Payara Micro node (-Xmx1g)%n",
                watcherCount, updates, warmup);
        System.out.printf("watchers held:          %d / %d (all registered %.1f s after the first connect)%n",
                held, watcherCount, (System.nanoTime() - started) / 1e9);
        app.gc();
        var heapWith = app.heapUsedKiB();
        var rssWith = app.status("VmRSS");
        var threadsWith = app.status("Threads");

        var waves = new ArrayList<String>();
        var warmWaves = new ArrayList<String>();
        var warmLatencies = new ArrayList<Long>();
        var waveStart = 0;
        var cpuBefore = app.cpuTime();
        for (int u = 1 - warmup; u <= updates; u++) {
            awaitWatchers(watcherCount, Duration.ofSeconds(120));
            delivered = new CountDownLatch(watcherCount);
            target = target + 1;
            postedAt = System.nanoTime();
            put("{\"percent\":" + (Math.max(0, u) * 100 / updates) + "}");
            if (!delivered.await(120, TimeUnit.SECONDS)) {
                System.out.printf("update %d: only %d of %d watchers answered within 120 s%n", u, watcherCount - delivered.getCount(), watcherCount);
            }
            var wave = new ArrayList<>(latencies).subList(waveStart, latencies.size());
            (u <= 0 ? warmWaves : waves).add(String.format("%.0f/%.0f", AppNode.percentile(wave, 50), AppNode.percentile(wave, 99)));
            waveStart = latencies.size();
            if (u == 0) { // the warm-up is over: its deliveries are reported apart
                warmLatencies.addAll(latencies);
                latencies.clear();
                waveStart = 0;
                cpuBefore = app.cpuTime();
            }
            var rearmStarted = System.nanoTime();
            for (Rearm r; (r = answered.poll()) != null; ) {
                watchers.poll(r.watcher(), r.revision());
            }
            awaitWatchers(watcherCount, Duration.ofSeconds(120));
            rearmSeconds.add((System.nanoTime() - rearmStarted) / 1e9);
        }
        var cpu = app.cpuTime().minus(cpuBefore);
        var all = new ArrayList<>(latencies);
        System.out.printf("delivery latency:       p50 %.1f ms, p99 %.1f ms, max %.1f ms (post -> watcher response, %d deliveries)%n",
                AppNode.percentile(all, 50), AppNode.percentile(all, 99), AppNode.percentile(all, 100), all.size());
        var fromStart = new ArrayList<>(warmLatencies);
        fromStart.addAll(all);
        System.out.printf("from the node's start:  p50 %.1f ms, p99 %.1f ms, max %.1f ms over all %d updates, the first ones after start included%n",
                AppNode.percentile(fromStart, 50), AppNode.percentile(fromStart, 99), AppNode.percentile(fromStart, 100), warmup + updates);
        System.out.printf("node CPU:               %.1f µs per delivered answer, the watcher's next poll included (%.1f s over the %d measured updates)%n",
                cpu.toNanos() / 1000.0 / Math.max(1, all.size()), cpu.toNanos() / 1e9, updates);
        System.out.printf("each update, p50/p99 ms: %s%n", String.join(" ", waves));
        if (warmup > 0) {
            System.out.printf("warm-up, not counted:    %d updates before those, p50 %.1f ms, p99 %.1f ms, max %.1f ms; each: %s%n", warmup,
                    AppNode.percentile(warmLatencies, 50), AppNode.percentile(warmLatencies, 99), AppNode.percentile(warmLatencies, 100),
                    String.join(" ", warmWaves));
        }
        System.out.printf("re-arm between updates:  all %d polling again within %.1f s on average (not part of the latency)%n",
                watcherCount, rearmSeconds.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
        System.out.printf("app heap used after GC: %d MiB before watchers, %d MiB with them: %.1f KiB per watcher%n",
                heapBefore / 1024, heapWith / 1024, (heapWith - heapBefore) / (double) watcherCount);
        System.out.printf("app RSS:                %d MiB before watchers, %d MiB with them: %.1f KiB per watcher%n",
                rssBefore / 1024, rssWith / 1024, (rssWith - rssBefore) / (double) watcherCount);
        System.out.printf("app JVM threads:        %d before watchers, %d while all %d wait%n", threadsBefore, threadsWith, held);
        System.out.printf("errors:                 %d%s%n", errors.get(), errorKinds.isEmpty() ? "" : " " + errorKinds);
        System.out.printf("connections closed by the node: %d%n", errorKinds.entrySet().stream()
                .filter(e -> e.getKey().startsWith("EOFException")).mapToInt(e -> e.getValue()).sum());
    }

    /**
     * The watchers' connections, all on one selector thread of this JVM: each watcher is a keep-alive
     * HTTP/1.1 connection with one long poll at a time. On an answer the watcher records the latency;
     * it polls again after the wave, so that deliveries are measured on their own.
     *
     * <p>Non-blocking sockets on one selector, as load generators such as wrk do, rather than a thread
     * per watcher or {@code HttpClient}: the load generator shares the machine's two
     * cores with the node, and its cost per response must stay small next to the node's. An answer's
     * time is taken as soon as its last byte is read.
     */
    private final class Watchers implements Runnable {
        private final Selector selector;
        private final ConcurrentLinkedQueue<Watcher> toPoll = new ConcurrentLinkedQueue<>();
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        private final InetSocketAddress address;

        Watchers() throws IOException {
            selector = Selector.open();
            address = new InetSocketAddress(base.getHost(), base.getPort());
            var thread = new Thread(this, "watchers");
            thread.setDaemon(true);
            thread.start();
        }

        void poll(Watcher watcher, long after) {
            watcher.after = after;
            toPoll.add(watcher);
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                while (selector.isOpen()) {
                    selector.select();
                    for (Watcher w; (w = toPoll.poll()) != null; ) {
                        send(w);
                    }
                    var ready = selector.selectedKeys();
                    for (var key : ready) {
                        var w = (Watcher) key.attachment();
                        try {
                            if (key.isConnectable() && w.channel.finishConnect()) {
                                write(w);
                            } else if (key.isWritable()) {
                                write(w);
                            } else if (key.isReadable()) {
                                read(w);
                            }
                        } catch (IOException | RuntimeException e) {
                            fail(w, e);
                        }
                    }
                    ready.clear();
                }
            } catch (IOException | ClosedSelectorException e) {
                // the benchmark is over
            }
        }

        private void send(Watcher w) {
            try {
                w.request = ByteBuffer.wrap(("GET " + base.getPath() + "api/boards/" + board + "?after=" + w.after
                        + "&wait=300 HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort() + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                w.received.reset();
                if (w.channel == null) {
                    w.channel = SocketChannel.open();
                    w.channel.configureBlocking(false);
                    w.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    w.key = w.channel.register(selector, 0, w);
                    if (!w.channel.connect(address)) {
                        w.key.interestOps(SelectionKey.OP_CONNECT);
                        return;
                    }
                }
                write(w);
            } catch (IOException | RuntimeException e) {
                fail(w, e);
            }
        }

        private void write(Watcher w) throws IOException {
            w.channel.write(w.request);
            w.key.interestOps(w.request.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        private void read(Watcher w) throws IOException {
            buffer.clear();
            if (w.channel.read(buffer) < 0) {
                throw new EOFException();
            }
            var receivedAt = System.nanoTime();
            w.answered = false;
            buffer.flip();
            var chunk = new byte[buffer.remaining()];
            buffer.get(chunk);
            w.received.writeBytes(chunk);
            var text = w.received.toString(StandardCharsets.ISO_8859_1);
            var headersEnd = text.indexOf("\r\n\r\n");
            if (headersEnd < 0) {
                return;
            }
            var length = -1;
            var status = Integer.parseInt(text.substring(9, 12));
            for (var line : text.substring(0, headersEnd).split("\r\n")) {
                if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                    length = Integer.parseInt(line.substring(15).strip());
                }
            }
            if (length < 0) {
                throw new IOException("no Content-Length");
            }
            if (text.length() < headersEnd + 4 + length) {
                return; // more to come
            }
            if (status != 200) {
                throw new IOException("status " + status);
            }
            var body = new String(w.received.toByteArray(), headersEnd + 4, length, StandardCharsets.UTF_8);
            var revision = revisionOf(body);
            if (revision == target && revision > w.after) {
                w.key.interestOps(0); // quiet until the wave is over and it polls again
                w.answered = true;
                latencies.add((receivedAt - postedAt) / 1000);
                answered.add(new Rearm(w, revision));
                delivered.countDown();
                return;
            }
            poll(w, revision);
        }

        private void fail(Watcher w, Exception e) {
            errors.incrementAndGet();
            errorKinds.merge(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + (w.answered ? " (after its answer)" : ""), 1, Integer::sum);
            try {
                if (w.channel != null) {
                    w.channel.close();
                }
            } catch (IOException ignored) {
                // gone anyway
            }
            w.channel = null;
            poll(w, w.after);
        }
    }

    /** One watcher: its connection, the revision it polls after, what it has read of the answer. */
    private static final class Watcher {
        SocketChannel channel;
        SelectionKey key;
        long after;
        /** Answered and not heard from since: a failure now is its kept-alive connection found closed. */
        boolean answered;
        ByteBuffer request;
        final ByteArrayOutputStream received = new ByteArrayOutputStream(512);
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

    private static final Pattern REVISION = Pattern.compile("\"revision\":(\\d+)");

    private static long revisionOf(String json) {
        var m = REVISION.matcher(json);
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
