package org.switchboard.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.switchboard.jobs.boundary.JobHandler;
import org.switchboard.jobs.boundary.StandaloneJobs;
import org.switchboard.testkit.ManagedProcess;
import org.switchboard.testkit.TestServers;

/**
 * Enqueues N {@code noop} jobs, then processes them with concurrency C in this JVM (the jobs module's
 * store and workers, reliable fetch on), timing both phases; then the latency from enqueue to start
 * with an idle worker. The same with BullMQ (one Node process, benchmarks/bullmq) on the same Redis,
 * in the same run.
 *
 * <p>Run with {@code benchmarks/jobs [jobs] [concurrency]}; see docs/benchmarks.md.
 */
public final class JobsBenchmark {

    public static void main(String[] args) throws Exception {
        var total = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        var concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        try {
            run(total, concurrency);
        } finally {
            TestServers.stopAll();
        }
        System.exit(0);
    }

    private static void run(int total, int concurrency) throws Exception {
        var redisServer = TestServers.redis();
        ours(redisServer.url(), total, concurrency); // a first round warms the JIT up
        TestServers.redisson().getKeys().flushdb();
        var result = ours(redisServer.url(), total, concurrency);
        var bull = bullmq(redisServer.url(), total, concurrency);
        System.out.printf("Job-queue benchmark: %d noop jobs, concurrency %d, one JVM / one Node process, one Redis%n", total, concurrency);
        System.out.printf("ours:   enqueue %8.0f jobs/s, process %8.0f jobs/s, enqueue->start with an idle worker p50 %.1f ms, p99 %.1f ms%n",
                result.enqueueRate, result.processRate, result.p50, result.p99);
        System.out.printf("BullMQ: %s%n", bull);
        var m = Pattern.compile("\"processPerSecond\":([0-9.]+)").matcher(bull);
        if (m.find()) {
            System.out.printf("ratio ours / BullMQ (processing): %.2f%n", result.processRate / Double.parseDouble(m.group(1)));
        }
    }

    private record Result(double enqueueRate, double processRate, double p50, double p99) {
    }

    @SuppressWarnings("try") // the workers run while the block waits on them: they are there to be closed
    private static Result ours(String redisUrl, int total, int concurrency) throws Exception {
        try (var jobs = StandaloneJobs.connect(redisUrl, "bench-" + UUID.randomUUID().toString().substring(0, 8), 64)) {
            var inFlight = new Semaphore(2000);
            var started = System.nanoTime();
            for (int i = 0; i < total; i++) {
                inFlight.acquire();
                jobs.enqueueAsync("default", "noop", "{\"i\":" + i + "}").whenComplete((r, e) -> inFlight.release());
            }
            inFlight.acquire(2000);
            inFlight.release(2000);
            var enqueueSeconds = (System.nanoTime() - started) / 1e9;

            var before = jobs.processed();
            started = System.nanoTime();
            JobHandler noop = job -> null;
            double processSeconds;
            try (var workers = jobs.work("default", concurrency, Map.of("noop", noop))) {
                while (jobs.processed() - before < total) {
                    Thread.sleep(5);
                }
                processSeconds = (System.nanoTime() - started) / 1e9;
            }

            // enqueue -> start with an idle worker, one job at a time
            var latencies = Collections.synchronizedList(new ArrayList<Long>());
            var startedAt = new CountDownLatch[1];
            JobHandler stamp = job -> {
                latencies.add((System.nanoTime() - Long.parseLong(job.payload())) / 1000);
                startedAt[0].countDown();
                return null;
            };
            try (var workers = jobs.work("default", concurrency, Map.of("stamp", stamp))) {
                for (int i = 0; i < 200; i++) {
                    startedAt[0] = new CountDownLatch(1);
                    jobs.enqueue("default", "stamp", String.valueOf(System.nanoTime()));
                    startedAt[0].await(10, TimeUnit.SECONDS);
                    Thread.sleep(5);
                }
            }
            return new Result(total / enqueueSeconds, total / processSeconds, AppNode.percentile(latencies, 50), AppNode.percentile(latencies, 99));
        }
    }

    private static String bullmq(String redisUrl, int total, int concurrency) throws Exception {
        var root = Path.of(System.getProperty("switchboard.root", ".")).toAbsolutePath();
        var port = redisUrl.substring(redisUrl.lastIndexOf(':') + 1);
        var dir = root.resolve("benchmarks/bullmq");
        var node = ManagedProcess.start("bullmq", List.of("node", dir.resolve("bench.js").toString(), port,
                String.valueOf(total), String.valueOf(concurrency)), TestServers.tempDir("bullmq-"));
        var deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (node.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        return node.output().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse("failed:\n" + node.output());
    }
}
