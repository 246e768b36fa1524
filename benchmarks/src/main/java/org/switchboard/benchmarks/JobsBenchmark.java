package org.switchboard.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.config.Config;
import org.switchboard.jobs.boundary.JobHandler;
import org.switchboard.jobs.boundary.StandaloneJobs;
import org.switchboard.testkit.TestServers;

/**
 * Enqueues N {@code noop} jobs, then processes them with concurrency C (the jobs module's store and
 * workers, reliable fetch on), timing both phases; then the latency from enqueue to start with an
 * idle worker. The same with BullMQ (benchmarks/bullmq) as the peer.
 *
 * <p>Fair to the peer: every run is a fresh process (ours a child JVM, BullMQ a Node process) on a
 * fresh redis-server with the same settings, and goes through the same warm-up (W jobs enqueued and
 * processed, then dropped) before it measures. Rounds alternate which goes first; the figures
 * compared are the medians of the rounds.
 *
 * <p>Each run also reads its Redis server's counters before and after the measured enqueue and
 * processing (ours here, BullMQ's in bench.js, the same way): CPU time, bytes in and out, and the calls
 * of each command, per job. Redis is the shared bottleneck, and its CPU per job moves least with the
 * machine's noise.
 *
 * <p>Run with {@code benchmarks/jobs [jobs] [concurrency] [rounds] [warm-up jobs]}; see docs/benchmarks.md.
 *
 * <p>{@code benchmarks/jobs flows [flows] [concurrency] [rounds]} measures what a flow costs: F flows
 * of a parent with 100 children (101 noop jobs each) against as many plain noop jobs, ours both,
 * each run a fresh process on a fresh redis-server after a warm-up of the same work, alternating.
 */
public final class JobsBenchmark {

    private static final int IDLE_WARMUP = 1000;
    private static final int IDLE_READINGS = 1000;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("flows")) {
            try {
                runFlows(args.length > 1 ? Integer.parseInt(args[1]) : 500, args.length > 2 ? Integer.parseInt(args[2]) : 50,
                        args.length > 3 ? Integer.parseInt(args[3]) : 3);
            } finally {
                TestServers.stopAll();
            }
            System.exit(0);
        }
        if (args.length > 0 && args[0].equals("--one-flows")) { // one run of flows or plain jobs, in a JVM of its own
            var r = oursFlows(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Boolean.parseBoolean(args[4]));
            System.out.printf("{\"enqueuePerSecond\":%.1f,\"processPerSecond\":%.1f,\"redisCpuMicrosPerJob\":%.2f,\"commandsPerJob\":%.2f,"
                    + "\"clientCpuMicrosPerProcessedJob\":%.2f}%n", r[0], r[1], r[2], r[3], r[4]);
            System.exit(0);
        }
        if (args.length > 0 && args[0].equals("--one")) { // one run of ours, in a JVM of its own
            var result = ours(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]));
            var redis = new StringBuilder();
            result.redisPerJob.forEach((name, value) -> redis.append(String.format(",\"%s\":%.3f", name, value)));
            System.out.printf("{\"enqueuePerSecond\":%.1f,\"processPerSecond\":%.1f,\"latencyP50Ms\":%.2f,\"latencyP99Ms\":%.2f,"
                            + "\"clientCpuMicrosPerProcessedJob\":%.2f%s}%n",
                    result.enqueueRate, result.processRate, result.p50, result.p99, result.clientCpuMicrosPerJob, redis);
            System.exit(0);
        }
        var total = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        var concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        var rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        var warmup = args.length > 3 ? Integer.parseInt(args[3]) : total; // a whole round, so that the measured one is at steady state
        var padding = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        try {
            run(total, concurrency, rounds, warmup, padding);
        } finally {
            TestServers.stopAll();
        }
        System.exit(0);
    }

    private static void run(int total, int concurrency, int rounds, int warmup, int padding) throws Exception {
        System.out.printf("Job-queue benchmark: %d noop jobs%s, concurrency %d, %d rounds; each run a fresh process on a fresh redis-server, "
                + "after a warm-up of %d jobs%n", total, padding > 0 ? " (payloads padded by " + padding + " bytes)" : "", concurrency, rounds, warmup);
        var results = ChildRuns.alternating(rounds, List.of("ours", "BullMQ"), peer -> peer.equals("ours")
                ? oneRun(ChildRuns.java(JobsBenchmark.class, "--one"), total, concurrency, warmup, padding, true)
                : oneRun(List.of("node", bullmqScript()), total, concurrency, warmup, padding, false));
        var ours = results.get("ours");
        var bull = results.get("BullMQ");
        for (var peer : List.of("ours", "BullMQ")) {
            var runs = peer.equals("ours") ? ours : bull;
            System.out.printf("median %-7s enqueue %8.0f jobs/s, process %8.0f jobs/s (rounds %.0f-%.0f), enqueue->start with an idle worker p50 %.2f ms, "
                            + "p99 %.2f ms; the worker process's CPU %.1f µs per processed job%n",
                    peer + ":", ChildRuns.median(runs, "enqueuePerSecond"), ChildRuns.median(runs, "processPerSecond"),
                    ChildRuns.min(runs, "processPerSecond"), ChildRuns.max(runs, "processPerSecond"),
                    ChildRuns.median(runs, "latencyP50Ms"), ChildRuns.median(runs, "latencyP99Ms"),
                    ChildRuns.median(runs, "clientCpuMicrosPerProcessedJob"));
        }
        System.out.printf("ratio of medians ours / BullMQ: processing %.2f, enqueue %.2f%n",
                ChildRuns.median(ours, "processPerSecond") / ChildRuns.median(bull, "processPerSecond"),
                ChildRuns.median(ours, "enqueuePerSecond") / ChildRuns.median(bull, "enqueuePerSecond"));
        System.out.println("Redis's side, per job over the measured enqueue and processing (medians; from INFO cpu, stats and commandstats):");
        for (var peer : List.of("ours", "BullMQ")) {
            var runs = peer.equals("ours") ? ours : bull;
            var commands = runs.stream().flatMap(r -> r.keySet().stream()).distinct().filter(k -> k.startsWith("cmd_"))
                    .map(k -> Map.entry(k.substring(4), ChildRuns.median(runs.stream().map(r -> Map.of(k, r.getOrDefault(k, 0.0))).toList(), k)))
                    .filter(e -> e.getValue() >= 0.005).sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .map(e -> String.format("%s %.2f", e.getKey(), e.getValue())).toList();
            System.out.printf("  %-7s CPU %.1f µs (%.1f µs of it while processing), %.0f bytes in, %.0f bytes out, %.2f commands: %s%n", peer + ":",
                    ChildRuns.median(runs, "redisCpuMicrosPerJob"), ChildRuns.median(runs, "redisCpuMicrosPerProcessedJob"), ChildRuns.median(runs, "netInBytesPerJob"),
                    ChildRuns.median(runs, "netOutBytesPerJob"), ChildRuns.median(runs, "commandsPerJob"), String.join(", ", commands));
        }
    }

    /** Children per flow in the flows benchmark. */
    private static final int CHILDREN = 100;

    private static void runFlows(int flows, int concurrency, int rounds) throws Exception {
        var jobs = flows * (CHILDREN + 1);
        System.out.printf("Flow benchmark: %d flows of a parent with %d children (%d noop jobs) against %d plain noop jobs, concurrency %d, "
                + "%d rounds; each run a fresh process on a fresh redis-server, after a warm-up of the same work%n", flows, CHILDREN, jobs, jobs,
                concurrency, rounds);
        var results = ChildRuns.alternating(rounds, List.of("flows", "plain"), kind -> {
            var redis = TestServers.newRedis();
            try {
                var command = new ArrayList<>(ChildRuns.java(JobsBenchmark.class, "--one-flows"));
                command.addAll(List.of(redis.url(), String.valueOf(flows), String.valueOf(concurrency), String.valueOf(kind.equals("flows"))));
                return ChildRuns.lastJsonLine(command);
            } finally {
                redis.stop();
            }
        });
        for (var kind : List.of("flows", "plain")) {
            var runs = results.get(kind);
            System.out.printf("median %-6s enqueue %8.0f jobs/s, process %8.0f jobs/s (rounds %.0f-%.0f); Redis %.1f µs and %.2f commands per job, "
                            + "the worker process's CPU %.1f µs per job%n", kind + ":", ChildRuns.median(runs, "enqueuePerSecond"),
                    ChildRuns.median(runs, "processPerSecond"), ChildRuns.min(runs, "processPerSecond"), ChildRuns.max(runs, "processPerSecond"),
                    ChildRuns.median(runs, "redisCpuMicrosPerJob"), ChildRuns.median(runs, "commandsPerJob"),
                    ChildRuns.median(runs, "clientCpuMicrosPerProcessedJob"));
        }
        var f = results.get("flows");
        var p = results.get("plain");
        System.out.printf("a job of a flow against a plain job (ratio of medians): processing rate %.2f, enqueue rate %.2f, Redis CPU per job %.2f%n",
                ChildRuns.median(f, "processPerSecond") / ChildRuns.median(p, "processPerSecond"),
                ChildRuns.median(f, "enqueuePerSecond") / ChildRuns.median(p, "enqueuePerSecond"),
                ChildRuns.median(f, "redisCpuMicrosPerJob") / ChildRuns.median(p, "redisCpuMicrosPerJob"));
    }

    /**
     * One run of the flows benchmark: a warm-up of the same work, then {@code flows} flows of a parent
     * and {@link #CHILDREN} children ({@code asFlows}), or as many plain jobs, enqueued then processed.
     * Answers the enqueue and processing rates (jobs/s), Redis's CPU (µs) and commands per job over
     * both, and this process's CPU per job while processing.
     */
    @SuppressWarnings("try") // the workers run while the block waits on them: they are there to be closed
    private static double[] oursFlows(String redisUrl, int flows, int concurrency, boolean asFlows) throws Exception {
        var total = flows * (CHILDREN + 1);
        var config = new Config();
        config.useSingleServer().setAddress(redisUrl).setConnectionPoolSize(1).setConnectionMinimumIdleSize(1);
        var admin = Redisson.create(config);
        try {
            double[] measured = null;
            for (var warm : List.of(true, false)) {
                try (var jobs = StandaloneJobs.connect(redisUrl, (warm ? "warm-" : "bench-") + UUID.randomUUID().toString().substring(0, 8), 64)) {
                    var before = redisCounters(admin);
                    var inFlight = new Semaphore(200);
                    var children = Collections.nCopies(CHILDREN, "{}");
                    var started = System.nanoTime();
                    for (int i = 0; i < (asFlows ? flows : total); i++) {
                        inFlight.acquire();
                        (asFlows ? jobs.enqueueFlowAsync("default", "noop", "{}", "noop", children) : jobs.enqueueAsync("default", "noop", "{}"))
                                .whenComplete((r, e) -> inFlight.release());
                    }
                    inFlight.acquire(200);
                    inFlight.release(200);
                    var enqueueSeconds = (System.nanoTime() - started) / 1e9;
                    var cpu = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                    var cpuBefore = cpu.getProcessCpuTime();
                    var processed = jobs.processed();
                    started = System.nanoTime();
                    JobHandler noop = job -> null;
                    try (var workers = jobs.work("default", concurrency, Map.of("noop", noop))) {
                        while (jobs.processed() - processed < total) {
                            Thread.sleep(5);
                        }
                    }
                    var processSeconds = (System.nanoTime() - started) / 1e9;
                    var cpuSeconds = (cpu.getProcessCpuTime() - cpuBefore) / 1e9;
                    var after = redisCounters(admin);
                    var commands = after.entrySet().stream().filter(e -> e.getKey().startsWith("cmd_"))
                            .mapToDouble(e -> e.getValue() - before.getOrDefault(e.getKey(), 0.0)).sum();
                    measured = new double[] {total / enqueueSeconds, total / processSeconds,
                            (after.get("cpuSeconds") - before.get("cpuSeconds")) * 1e6 / total, commands / total, cpuSeconds * 1e6 / total};
                }
            }
            return measured;
        } finally {
            admin.shutdown();
        }
    }

    /** One run on a redis-server of its own, stopped after; answers the run's JSON line. */
    private static String oneRun(List<String> command, int total, int concurrency, int warmup, int padding, boolean byUrl) throws Exception {
        var redis = TestServers.newRedis();
        try {
            var full = new ArrayList<>(command);
            full.addAll(List.of(byUrl ? redis.url() : String.valueOf(redis.port()), String.valueOf(total), String.valueOf(concurrency),
                    String.valueOf(warmup), String.valueOf(padding)));
            return ChildRuns.lastJsonLine(full);
        } finally {
            redis.stop();
        }
    }

    private static String bullmqScript() {
        return Path.of(System.getProperty("switchboard.root", "."), "benchmarks", "bullmq", "bench.js").toAbsolutePath().toString();
    }

    private record Result(double enqueueRate, double processRate, double p50, double p99, double clientCpuMicrosPerJob,
                          Map<String, Double> redisPerJob) {
    }

    /**
     * The Redis server's counters so far: CPU seconds (user and system), bytes in and out
     * ({@code netInBytesPerJob}, {@code netOutBytesPerJob} once divided), and the calls of each
     * command ({@code cmd_<name>}); the same as benchmarks/bullmq/bench.js reads.
     */
    private static Map<String, Double> redisCounters(RedissonClient admin) {
        var node = admin.getRedisNodes(RedisNodes.SINGLE).getInstance();
        var out = new TreeMap<String, Double>();
        var cpu = node.info(RedisNode.InfoSection.CPU);
        out.put("cpuSeconds", Double.parseDouble(cpu.get("used_cpu_user")) + Double.parseDouble(cpu.get("used_cpu_sys")));
        var stats = node.info(RedisNode.InfoSection.STATS);
        out.put("netInBytesPerJob", Double.parseDouble(stats.get("total_net_input_bytes")));
        out.put("netOutBytesPerJob", Double.parseDouble(stats.get("total_net_output_bytes")));
        node.info(RedisNode.InfoSection.COMMANDSTATS).forEach((name, value) -> {
            var calls = value.replaceAll("^calls=(\\d+),.*$", "$1");
            out.put("cmd_" + name.replace("cmdstat_", "").replace('|', '_'), Double.parseDouble(calls));
        });
        return out;
    }

    private static Result ours(String redisUrl, int total, int concurrency, int warmup, int padding) throws Exception {
        if (warmup > 0) {
            try (var warm = StandaloneJobs.connect(redisUrl, "warm-" + UUID.randomUUID().toString().substring(0, 8), 64)) {
                enqueueThenProcess(warm, warmup, concurrency, padding, null);
            }
        }
        var config = new Config();
        config.useSingleServer().setAddress(redisUrl).setConnectionPoolSize(1).setConnectionMinimumIdleSize(1);
        var admin = Redisson.create(config);
        try (var jobs = StandaloneJobs.connect(redisUrl, "bench-" + UUID.randomUUID().toString().substring(0, 8), 64)) {
            var before = redisCounters(admin);
            var seconds = enqueueThenProcess(jobs, total, concurrency, padding, admin);
            var after = redisCounters(admin);
            var perJob = new TreeMap<String, Double>();
            after.forEach((name, value) -> perJob.put(name, (value - before.getOrDefault(name, 0.0)) / total));
            perJob.put("redisCpuMicrosPerJob", perJob.remove("cpuSeconds") * 1e6);
            perJob.put("commandsPerJob", perJob.entrySet().stream().filter(e -> e.getKey().startsWith("cmd_")).mapToDouble(Map.Entry::getValue).sum());
            var latencies = idleLatencies(jobs, concurrency);
            perJob.put("redisCpuMicrosPerProcessedJob", seconds[3] * 1e6 / total);
            return new Result(total / seconds[0], total / seconds[1], AppNode.percentile(latencies, 50), AppNode.percentile(latencies, 99),
                    seconds[2] * 1e6 / total, perJob);
        } finally {
            admin.shutdown();
        }
    }

    /**
     * Enqueues {@code total} noop jobs (their payloads padded by {@code padding} characters, as
     * bench.js pads BullMQ's), then works them off; answers both durations in seconds, and the
     * process's CPU time and the Redis server's over the processing (bench.js measures BullMQ's the same way).
     */
    @SuppressWarnings("try") // the workers run while the block waits on them: they are there to be closed
    private static double[] enqueueThenProcess(StandaloneJobs jobs, int total, int concurrency, int padding, RedissonClient admin) throws Exception {
        var pad = padding > 0 ? ",\"pad\":\"" + "x".repeat(padding) + "\"" : "";
        var inFlight = new Semaphore(2000);
        var started = System.nanoTime();
        for (int i = 0; i < total; i++) {
            inFlight.acquire();
            jobs.enqueueAsync("default", "noop", "{\"i\":" + i + pad + "}").whenComplete((r, e) -> inFlight.release());
        }
        inFlight.acquire(2000);
        inFlight.release(2000);
        var enqueueSeconds = (System.nanoTime() - started) / 1e9;

        var before = jobs.processed();
        var cpu = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var redisBefore = admin == null ? 0 : redisCounters(admin).get("cpuSeconds");
        var cpuBefore = cpu.getProcessCpuTime();
        started = System.nanoTime();
        JobHandler noop = job -> null;
        double processSeconds;
        try (var workers = jobs.work("default", concurrency, Map.of("noop", noop))) {
            while (jobs.processed() - before < total) {
                Thread.sleep(5);
            }
            processSeconds = (System.nanoTime() - started) / 1e9;
        }
        var cpuSeconds = (cpu.getProcessCpuTime() - cpuBefore) / 1e9;
        var redisSeconds = admin == null ? 0 : redisCounters(admin).get("cpuSeconds") - redisBefore;
        return new double[] {enqueueSeconds, processSeconds, cpuSeconds, redisSeconds};
    }

    /**
     * Enqueue -> start with an idle worker, one job at a time: 1,000 readings in microseconds, after
     * 1,000 not counted (the idle path's code is new to the process, and its compilation is what the
     * first hundreds of readings measure; bench.js does the same for BullMQ).
     */
    @SuppressWarnings("try") // the workers run while the block waits on them: they are there to be closed
    private static List<Long> idleLatencies(StandaloneJobs jobs, int concurrency) throws Exception {
        var latencies = Collections.synchronizedList(new ArrayList<Long>());
        var startedAt = new CountDownLatch[1];
        var counted = new AtomicBoolean();
        JobHandler stamp = job -> {
            if (counted.get()) {
                latencies.add((System.nanoTime() - Long.parseLong(job.payload())) / 1000);
            }
            startedAt[0].countDown();
            return null;
        };
        try (var workers = jobs.work("default", concurrency, Map.of("stamp", stamp))) {
            for (int i = 0; i < IDLE_WARMUP + IDLE_READINGS; i++) {
                startedAt[0] = new CountDownLatch(1);
                counted.set(i >= IDLE_WARMUP);
                jobs.enqueue("default", "stamp", String.valueOf(System.nanoTime()));
                startedAt[0].await(10, TimeUnit.SECONDS);
                Thread.sleep(5);
            }
        }
        return latencies;
    }
}
