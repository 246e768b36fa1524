package org.switchboard.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.redisson.Redisson;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.switchboard.testkit.TestServers;

/**
 * Starts Switchboard (one Payara Micro node, embedded H2) on a local Redis, opens R server-sent-event
 * readers on one chat room from this JVM, and posts messages through the API at a fixed rate, then at
 * rising rates. Each message carries its send time; each reader records post-to-delivery latency and
 * checks that it gets every sequence number exactly once, in order. The baseline, in the same run:
 * Redis pub/sub alone, published and received through Redisson in this JVM at the same rate.
 *
 * <p>Run with {@code benchmarks/chat [readers] [seconds per step]}; see docs/benchmarks.md.
 */
public final class ChatBenchmark {

    private static final double TARGET_P99_MS = 250;
    private static final int[] RISING = {5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 400, 600, 800, 1000};

    private final int readerCount;
    private final int stepSeconds;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30)).build();
    private AppNode app;
    private final String room = "bench";
    private final List<Reader> readers = new ArrayList<>();
    /** Latencies (µs) of the current step, from every reader. */
    private volatile ConcurrentLinkedQueue<Long> step = new ConcurrentLinkedQueue<>();
    private final AtomicLong lastPosted = new AtomicLong();
    private final AtomicInteger postErrors = new AtomicInteger();
    private final AtomicInteger authors = new AtomicInteger();

    private ChatBenchmark(int readerCount, int stepSeconds) {
        this.readerCount = readerCount;
        this.stepSeconds = stepSeconds;
    }

    public static void main(String[] args) throws Exception {
        var readers = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        var seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        try {
            new ChatBenchmark(readers, seconds).run();
        } finally {
            TestServers.stopAll();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        TestServers.pouchDb();
        var baseline = redisBaseline(TestServers.redis().url(), 200, stepSeconds);
        // the default limit per client and author (the posts come from many authors); the poster is one
        // client posting to one room at hundreds of messages a second, past those two limits
        try (var node = AppNode.start(Map.of("switchboard.chat.rate.address-messages", "100000000",
                "switchboard.chat.rate.room-messages", "100000000", "switchboard.streams.per-client", "100000000"))) {
            app = node;
            measure(baseline);
        }
    }

    private void measure(List<Long> baseline) throws Exception {
        warmUp();
        post(); // the room exists, seq 1
        awaitDelivered(1, Duration.ofSeconds(10)); // nobody reads yet: returns at once
        var opened = System.nanoTime();
        for (int i = 0; i < readerCount; i++) {
            readers.add(new Reader(i));
            if (i % 200 == 199) {
                Thread.sleep(100);
            }
        }
        var ready = awaitDelivered(1, Duration.ofSeconds(120));
        System.out.printf("Chat benchmark: %d SSE readers on one room, one Payara Micro node (-Xmx1g), embedded H2%n", readerCount);
        System.out.printf("readers connected:      %d / %d (all had the history %.1f s after the first connect)%n",
                ready, readerCount, (System.nanoTime() - opened) / 1e9);

        int best = 0;
        for (int rate : RISING) {
            var result = runStep(rate);
            var p99 = AppNode.percentile(result.latencies, 99);
            System.out.printf("rising: %4d msg/s:     sent %5d (%.0f/s achieved), p50 %7.1f ms, p99 %7.1f ms, node CPU %3.0f%%, %.1f µs per event%s%n",
                    rate, result.sent, result.sent / (double) stepSeconds, AppNode.percentile(result.latencies, 50), p99, result.cpuPercent,
                    result.cpuPerEventMicros,
                    result.drained ? "" : ", readers still behind after 60 s");
            if (p99 < TARGET_P99_MS && result.drained && result.sent >= rate * stepSeconds * 0.95) {
                best = rate;
            } else {
                break;
            }
        }
        System.out.printf("highest rate with p99 < %.0f ms: %s%n", TARGET_P99_MS, best == 0 ? "none of the rates tried" : best + " msg/s");
        var fixed = runStep(200); // last: on a two-core machine it is an overload, and its backlog would spill into the next step
        System.out.printf("at 200 msg/s (%d s):    p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d deliveries; node CPU %.0f%% of one core,"
                        + " %.1f µs per delivered event%n",
                stepSeconds, AppNode.percentile(fixed.latencies, 50), AppNode.percentile(fixed.latencies, 99),
                AppNode.percentile(fixed.latencies, 100), fixed.latencies.size(), fixed.cpuPercent, fixed.cpuPerEventMicros);
        if (!fixed.drained) {
            System.out.printf("                        (readers were still behind 60 s after the last post)%n");
        }
        var b50 = AppNode.percentile(baseline, 50);
        var b99 = AppNode.percentile(baseline, 99);
        System.out.printf("baseline (same run):    Redis pub/sub through Redisson, one JVM, 200 msg/s: p50 %.2f ms, p99 %.2f ms%n", b50, b99);
        System.out.printf("ratio ours / baseline:  p50 x%.0f, p99 x%.0f%n",
                AppNode.percentile(fixed.latencies, 50) / b50, AppNode.percentile(fixed.latencies, 99) / b99);

        var last = lastPosted.get();
        awaitDelivered(last, Duration.ofSeconds(120));
        long exact = readers.stream().filter(r -> r.received.get() == last && r.duplicates.get() == 0 && r.gaps.get() == 0).count();
        System.out.printf("exactly once, in order: %d of %d readers got all %d messages once each (gaps %d, duplicates %d, reconnects %d)%n",
                exact, readerCount, last, readers.stream().mapToLong(r -> r.gaps.get()).sum(),
                readers.stream().mapToLong(r -> r.duplicates.get()).sum(), readers.stream().mapToLong(r -> r.reconnects.get()).sum());
        System.out.printf("post errors:            %d%n", postErrors.get());
        System.out.printf("app threads:            %d with %d readers connected%n", app.status("Threads"), readerCount);
    }

    /** A fresh JVM runs requests several times slower until its JIT has compiled the hot paths. */
    private void warmUp() throws Exception {
        var warm = new ArrayList<Thread>();
        var stop = new AtomicBoolean();
        for (int i = 0; i < 50; i++) {
            warm.add(Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    try (var events = http.send(HttpRequest.newBuilder(app.base.resolve("api/chat/rooms/warm-up/events?after=0")).build(),
                            HttpResponse.BodyHandlers.ofInputStream()).body()) {
                        events.transferTo(OutputStream.nullOutputStream());
                    } catch (Exception e) {
                        // closed below
                    }
                }
            }));
        }
        var started = System.nanoTime();
        try (var pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                pool.submit(() -> {
                    while (System.nanoTime() - started < 30_000_000_000L) {
                        http.send(HttpRequest.newBuilder(app.base.resolve("api/chat/rooms/warm-up/messages"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"author\":\"warm-" + authors.getAndIncrement() + "\",\"text\":\"warming up\"}")).build(),
                                HttpResponse.BodyHandlers.discarding());
                        http.send(HttpRequest.newBuilder(app.base.resolve("api/chat/rooms/warm-up/messages?limit=20")).build(),
                                HttpResponse.BodyHandlers.discarding());
                    }
                    return null;
                });
            }
        }
        stop.set(true);
        System.out.printf("warm-up:                30 s of posts, history reads and 50 readers on another room%n");
    }

    /** {@code cpuPerEventMicros}: the node's CPU time from the step's first post until every reader had its last message, over the deliveries. */
    private record Step(List<Long> latencies, int sent, boolean drained, double cpuPercent, double cpuPerEventMicros) {
    }

    /** Posts at {@code rate} for the step's length (open loop), then waits for every reader to catch up. */
    private Step runStep(int rate) throws Exception {
        step = new ConcurrentLinkedQueue<>();
        var cpuBefore = app.cpuTime();
        var wallBefore = System.nanoTime();
        var sent = new AtomicInteger();
        var total = rate * stepSeconds;
        var intervalNanos = 1_000_000_000L / rate;
        var start = System.nanoTime();
        try (var pacer = Executors.newSingleThreadScheduledExecutor()) {
            var done = new CountDownLatch(1);
            pacer.scheduleAtFixedRate(() -> {
                // catch up on missed ticks so that the rate holds on a busy machine
                long due = Math.min(total, (System.nanoTime() - start) / intervalNanos + 1);
                while (sent.get() < due) {
                    sent.incrementAndGet();
                    post();
                }
                if (sent.get() >= total) {
                    done.countDown();
                }
            }, 0, Math.max(1, intervalNanos / 1000), TimeUnit.MICROSECONDS);
            done.await(stepSeconds * 3L, TimeUnit.SECONDS);
        }
        var cpu = app.cpuTime().minus(cpuBefore).toNanos() * 100.0 / (System.nanoTime() - wallBefore);
        Thread.sleep(500); // the last posts' answers
        var drained = awaitDelivered(lastPosted.get(), Duration.ofSeconds(60)) == readerCount;
        var latencies = new ArrayList<>(step);
        var perEvent = app.cpuTime().minus(cpuBefore).toNanos() / 1000.0 / Math.max(1, latencies.size());
        if (!drained) {
            awaitDelivered(lastPosted.get(), Duration.ofSeconds(300)); // the next step starts from a quiet node
        }
        return new Step(latencies, sent.get(), drained, cpu, perEvent);
    }

    private void post() {
        var author = "bench-" + authors.getAndIncrement() % 5000; // a crowd: one author posts once in 25 s at 200 msg/s
        var body = "{\"author\":\"" + author + "\",\"text\":\"t=" + System.nanoTime() + "; a message of an ordinary length for a chat room\"}";
        http.sendAsync(HttpRequest.newBuilder(app.base.resolve("api/chat/rooms/" + room + "/messages"))
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
                .whenComplete((response, failure) -> {
                    if (failure != null || response.statusCode() != 201) {
                        postErrors.incrementAndGet();
                        return;
                    }
                    var seq = field(response.body(), "\"seq\":", ',');
                    lastPosted.accumulateAndGet(Long.parseLong(seq), Math::max);
                });
    }

    /** Waits until every reader has {@code seq}; answers how many have. */
    private int awaitDelivered(long seq, Duration timeout) throws InterruptedException {
        var deadline = System.nanoTime() + timeout.toNanos();
        int have;
        do {
            have = (int) readers.stream().filter(r -> r.last.get() >= seq).count();
            if (have == readers.size()) {
                return have;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return have;
    }

    private static String field(String json, String key, char end) {
        var at = json.indexOf(key) + key.length();
        return json.substring(at, json.indexOf(end, at));
    }

    /** One SSE reader on a virtual thread: checks the order, records latencies, reconnects with Last-Event-ID. */
    private final class Reader {
        final AtomicLong last = new AtomicLong();
        final AtomicLong received = new AtomicLong();
        final AtomicLong gaps = new AtomicLong();
        final AtomicLong duplicates = new AtomicLong();
        final AtomicLong reconnects = new AtomicLong();

        Reader(int index) {
            Thread.ofVirtual().name("reader-" + index).start(this::read);
        }

        private void read() {
            while (true) {
                try {
                    var request = HttpRequest.newBuilder(app.base.resolve("api/chat/rooms/" + room + "/events"))
                            .header("Accept", "text/event-stream");
                    if (last.get() > 0) {
                        request.header("Last-Event-ID", String.valueOf(last.get()));
                    }
                    var response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                    try (var lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                        for (String line; (line = lines.readLine()) != null; ) {
                            if (line.startsWith("data:")) {
                                onMessage(line);
                            }
                        }
                    }
                } catch (Exception e) {
                    // connection dropped: resume after the last message
                }
                reconnects.incrementAndGet();
            }
        }

        private void onMessage(String data) {
            var now = System.nanoTime();
            var seq = Long.parseLong(field(data, "\"seq\":", ','));
            var expected = last.get() + 1;
            if (seq < expected) {
                duplicates.incrementAndGet();
                return;
            }
            if (seq > expected) {
                gaps.incrementAndGet();
            }
            last.set(seq);
            received.incrementAndGet();
            var text = field(data, "\"text\":\"t=", ';');
            if (!text.isEmpty() && seq > 1) {
                step.add((now - Long.parseLong(text)) / 1000);
            }
        }
    }

    /** Redis pub/sub alone at {@code rate} for {@code seconds}: publisher and listener in this JVM, through Redisson. */
    private static List<Long> redisBaseline(String url, int rate, int seconds) throws Exception {
        var config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        config.useSingleServer().setAddress(url);
        var redisson = Redisson.create(config);
        try {
            var topic = redisson.getTopic("bench:chat-baseline", StringCodec.INSTANCE);
            var results = Collections.synchronizedList(new ArrayList<Long>());
            topic.addListener(String.class, (channel, message) -> results.add((System.nanoTime() - Long.parseLong(message)) / 1000));
            var intervalNanos = 1_000_000_000L / rate;
            var start = System.nanoTime();
            for (int i = 0; i < rate * seconds; i++) {
                long wait = start + i * intervalNanos - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                topic.publishAsync(String.valueOf(System.nanoTime()));
            }
            Thread.sleep(500);
            return new ArrayList<>(results.subList(Math.min(results.size(), rate), results.size())); // after the first second
        } finally {
            redisson.shutdown();
        }
    }
}
