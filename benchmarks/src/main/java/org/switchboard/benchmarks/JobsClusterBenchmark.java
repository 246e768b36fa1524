package org.switchboard.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;
import org.redisson.Redisson;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;
import org.switchboard.jobs.boundary.JobHandler;
import org.switchboard.jobs.boundary.StandaloneJobs;
import org.switchboard.testkit.RedisCluster;
import org.switchboard.testkit.RedisServer;
import org.switchboard.testkit.TestServers;

/**
 * The job queues on a local Redis Cluster (three masters, three replicas): does a cluster add
 * capacity? N noop jobs are enqueued, then processed with C slots per queue, in three layouts:
 * <ul>
 * <li>one queue (on one master);</li>
 * <li>three queues whose keys all live on that same master: as many fetch loops and slots as below,
 * so that any gain of the last layout is the masters', not the loops';</li>
 * <li>three queues, each on a master of its own;</li>
 * <li>one queue in the durable mode: each enqueue waits for the master's replica to have it.</li>
 * </ul>
 * Each run is a fresh JVM on a freshly started cluster, after a warm-up of W jobs; the order of the
 * layouts alternates between rounds, and the medians of the rounds are compared. Each run also
 * prints, over its processing phase, the Redis CPU time per job (all masters, from {@code INFO cpu}),
 * which moves least with the machine's noise; the busiest master's, whose inverse bounds what the
 * layout can process; and how busy the machine's cores were (a saturated machine caps every layout).
 * On a machine with fewer cores than the cluster has processes, the last argument holds each Redis
 * process to a share of a core (a control group; needs root), so that each stands for a server of
 * its own with a fixed capacity and the masters, not the machine, are what is measured.
 *
 * <p>Run with {@code benchmarks/jobs-cluster [jobs] [concurrency per queue] [rounds] [warm-up jobs] [cores per Redis process]}; see docs/benchmarks.md.
 */
public final class JobsClusterBenchmark {

    private static final String DURABLE = "1 queue, WAIT 1 replica";
    private static final List<String> LAYOUTS = List.of("1 queue, 1 master", "3 queues, 1 master", "3 queues, 3 masters", DURABLE);

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--one")) { // one run, in a JVM of its own
            one(List.of(args[1].split(",")), List.of(args[2].split(",")), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Integer.parseInt(args[6]));
            System.exit(0);
        }
        var total = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        var concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        var rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        var warmup = args.length > 3 ? Integer.parseInt(args[3]) : 20_000;
        var redisCores = args.length > 4 ? Double.parseDouble(args[4]) : 0;
        try {
            run(total, concurrency, rounds, warmup, redisCores);
        } finally {
            TestServers.stopAll();
        }
        System.exit(0);
    }

    private static void run(int total, int concurrency, int rounds, int warmup, double redisCores) throws Exception {
        System.out.printf("Job queues on a Redis Cluster (3 masters, 3 replicas, append-only file everysec%s): %d noop jobs, %d slots per queue, "
                + "%d rounds; each run a fresh JVM on a fresh cluster, after a warm-up of %d jobs%n",
                redisCores > 0 ? "; each Redis process capped to " + CpuCap.describe(redisCores) : "", total, concurrency, rounds, warmup);
        var results = ChildRuns.alternating(rounds, LAYOUTS, layout -> oneRun(layout, total, concurrency, warmup, redisCores));
        results.forEach((layout, runs) -> System.out.printf("median %-20s enqueue %8.0f jobs/s, process %8.0f jobs/s (min %.0f, max %.0f); "
                        + "while processing: Redis CPU %.1f µs per job, the busiest master's %.1f µs per job, machine busy %.0f%%%n", layout + ":",
                ChildRuns.median(runs, "enqueuePerSecond"), ChildRuns.median(runs, "processPerSecond"), ChildRuns.min(runs, "processPerSecond"),
                ChildRuns.max(runs, "processPerSecond"), ChildRuns.median(runs, "redisCpuMicrosPerJob"),
                ChildRuns.median(runs, "busiestMasterCpuMicrosPerJob"), ChildRuns.median(runs, "machineBusyPercent")));
        var one = ChildRuns.median(results.get(LAYOUTS.get(0)), "processPerSecond");
        System.out.printf("ratio of medians, processing: 3 queues on 1 master / 1 queue %.2f, 3 queues on 3 masters / 1 queue %.2f%n",
                ChildRuns.median(results.get(LAYOUTS.get(1)), "processPerSecond") / one, ChildRuns.median(results.get(LAYOUTS.get(2)), "processPerSecond") / one);
        System.out.printf("ratio of medians, enqueue: durable (WAIT 1 replica) / 1 queue %.2f%n",
                ChildRuns.median(results.get(DURABLE), "enqueuePerSecond") / ChildRuns.median(results.get(LAYOUTS.get(0)), "enqueuePerSecond"));
        System.out.printf("one enqueue at a time, median of the runs' p50 / p99: 1 queue %.2f / %.2f ms, durable (WAIT 1 replica) %.2f / %.2f ms%n",
                ChildRuns.median(results.get(LAYOUTS.get(0)), "loneEnqueueP50Ms"), ChildRuns.median(results.get(LAYOUTS.get(0)), "loneEnqueueP99Ms"),
                ChildRuns.median(results.get(DURABLE), "loneEnqueueP50Ms"), ChildRuns.median(results.get(DURABLE), "loneEnqueueP99Ms"));
    }

    /**
     * One run of a layout on a cluster of its own, stopped after; answers the run's JSON line. With
     * {@code redisCores} above 0, every Redis process of the cluster is held to that share of a core.
     */
    private static String oneRun(String layout, int total, int concurrency, int warmup, double redisCores) throws Exception {
        var caps = new ArrayList<CpuCap>();
        try (var cluster = RedisCluster.start(TestServers.tempDir("cluster-"))) {
            if (redisCores > 0) {
                cluster.nodes().forEach(node -> caps.add(CpuCap.of(node.pid(), redisCores)));
            }
            var queues = queues(cluster, layout);
            var nodes = cluster.nodes().stream().map(RedisServer::url).collect(Collectors.joining(","));
            return ChildRuns.lastJsonLine(ChildRuns.java(JobsClusterBenchmark.class, "--one", nodes, String.join(",", queues),
                    String.valueOf(total), String.valueOf(concurrency), String.valueOf(warmup), layout.equals(DURABLE) ? "1" : "0"));
        } finally {
            caps.forEach(CpuCap::close);
        }
    }

    /** The queues of a layout: names whose keys live on the master wanted, found by asking the cluster. */
    private static List<String> queues(RedisCluster cluster, String layout) {
        var byMaster = new LinkedHashMap<Integer, List<String>>();
        for (int i = 0; byMaster.size() < 3 || byMaster.values().stream().anyMatch(names -> names.size() < 3); i++) {
            var name = "q" + i;
            // the queue's keys carry the hash tag {jobs:name} (the jobs module's JobKeys)
            byMaster.computeIfAbsent(cluster.masterOf("{jobs:" + name + "}").port(), port -> new ArrayList<>()).add(name);
        }
        var masters = List.copyOf(byMaster.values());
        return switch (layout) {
            case "1 queue, 1 master", DURABLE -> List.of(masters.get(0).get(0));
            case "3 queues, 1 master" -> masters.get(0).subList(0, 3);
            default -> List.of(masters.get(0).get(0), masters.get(1).get(0), masters.get(2).get(0));
        };
    }

    private static Config config(List<String> nodes) {
        var config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        var servers = config.useClusterServers().setReadMode(ReadMode.MASTER);
        nodes.forEach(servers::addNodeAddress);
        return config;
    }

    private static void one(List<String> nodes, List<String> queues, int total, int concurrency, int warmup, int waitReplicas) throws Exception {
        if (warmup > 0) {
            try (var warm = StandaloneJobs.connectCluster(nodes, "warm-" + UUID.randomUUID().toString().substring(0, 8), 64, waitReplicas)) {
                enqueueThenProcess(warm, queues, warmup, concurrency, () -> { });
            }
        }
        var admin = Redisson.create(config(nodes));
        try (var jobs = StandaloneJobs.connectCluster(nodes, "bench-" + UUID.randomUUID().toString().substring(0, 8), 64, waitReplicas)) {
            var cpu = new Map[2];
            var machine = new long[2][];
            var seconds = enqueueThenProcess(jobs, queues, total, concurrency, () -> {
                cpu[0] = redisCpuSeconds(admin);
                machine[0] = machineTicks();
            });
            cpu[1] = redisCpuSeconds(admin);
            machine[1] = machineTicks();
            var lone = loneEnqueueMillis(jobs, queues.getFirst(), 1000);
            @SuppressWarnings("unchecked") Map<String, Double> before = cpu[0];
            @SuppressWarnings("unchecked") Map<String, Double> after = cpu[1];
            var used = after.keySet().stream().collect(Collectors.toMap(m -> m, m -> after.get(m) - before.getOrDefault(m, 0.0)));
            var all = used.values().stream().mapToDouble(Double::doubleValue).sum();
            var busiest = used.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
            var idle = machine[1][1] - machine[0][1];
            var ticks = machine[1][0] - machine[0][0];
            System.out.printf("{\"enqueuePerSecond\":%.1f,\"processPerSecond\":%.1f,\"redisCpuMicrosPerJob\":%.2f,"
                            + "\"busiestMasterCpuMicrosPerJob\":%.2f,\"machineBusyPercent\":%.1f,\"loneEnqueueP50Ms\":%.2f,\"loneEnqueueP99Ms\":%.2f}%n",
                    total / seconds[0], total / seconds[1], all * 1e6 / total, busiest * 1e6 / total, ticks == 0 ? 0 : 100.0 * (ticks - idle) / ticks,
                    lone[0], lone[1]);
        } finally {
            admin.shutdown();
        }
    }

    /**
     * The time one enqueue takes with nothing else in flight (what a caller waits, the durable mode's
     * wait for the replica included), p50 and p99 in ms over {@code count} enqueues one after another.
     * Measured after the processing, with the workers stopped: the jobs stay queued.
     */
    private static double[] loneEnqueueMillis(StandaloneJobs jobs, String queue, int count) {
        var millis = new double[count];
        for (int i = 0; i < count; i++) {
            var start = System.nanoTime();
            jobs.enqueue(queue, "noop", "{\"lone\":" + i + "}");
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        return new double[] {millis[count / 2], millis[(int) Math.ceil(count * 0.99) - 1]};
    }

    /** Each master's CPU time (user and system) so far, in seconds, by address. */
    private static Map<String, Double> redisCpuSeconds(org.redisson.api.RedissonClient admin) {
        return admin.getRedisNodes(RedisNodes.CLUSTER).getMasters().stream().collect(Collectors.toMap(m -> m.getAddr().toString(), m -> {
            var info = m.info(RedisNode.InfoSection.CPU);
            return Double.parseDouble(info.get("used_cpu_user")) + Double.parseDouble(info.get("used_cpu_sys"));
        }));
    }

    /** The machine's CPU ticks since boot, all and idle (Linux's /proc/stat); zeros where there is none. */
    private static long[] machineTicks() {
        try {
            var fields = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long sum = 0;
            for (int i = 1; i < fields.length; i++) {
                sum += Long.parseLong(fields[i]);
            }
            return new long[] {sum, Long.parseLong(fields[4]) + Long.parseLong(fields[5])};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    /** Enqueues {@code total} noop jobs over the queues in turn, then works them off; answers both durations in seconds. */
    @SuppressWarnings("try") // the workers run while the block waits on them: they are there to be closed
    private static double[] enqueueThenProcess(StandaloneJobs jobs, List<String> queues, int total, int concurrency, Runnable beforeProcessing)
            throws Exception {
        var inFlight = new Semaphore(2000);
        var started = System.nanoTime();
        for (int i = 0; i < total; i++) {
            inFlight.acquire();
            jobs.enqueueAsync(queues.get(i % queues.size()), "noop", "{\"i\":" + i + "}").whenComplete((r, e) -> inFlight.release());
        }
        inFlight.acquire(2000);
        inFlight.release(2000);
        var enqueueSeconds = (System.nanoTime() - started) / 1e9;

        beforeProcessing.run();
        var before = jobs.processed();
        started = System.nanoTime();
        JobHandler noop = job -> null;
        double processSeconds;
        var slots = new HashMap<String, Integer>();
        queues.forEach(q -> slots.put(q, concurrency));
        try (var workers = jobs.work(slots, Map.of("noop", noop))) {
            while (jobs.processed() - before < total) {
                Thread.sleep(5);
            }
            processSeconds = (System.nanoTime() - started) / 1e9;
        }
        return new double[] {enqueueSeconds, processSeconds};
    }
}
