package org.switchboard.benchmarks;

import com.google.gson.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.lightcouch.CouchDbClient;
import org.lightcouch.CouchDbProperties;
import org.switchboard.ledger.boundary.Ledger;
import org.switchboard.ledger.boundary.TransferRejectedException;
import org.switchboard.ledger.entity.TransferStatus;
import org.switchboard.testkit.CouchDbServer;
import org.switchboard.testkit.TestServers;

/**
 * The ledger against the CouchDB-API servers at hand, side by side: the harness's PouchDB Server
 * always, and an Apache CouchDB when one is given ({@code SWITCHBOARD_TEST_COUCHDB_URL}, or the
 * cluster the harness starts from {@code SWITCHBOARD_TEST_COUCHDB_RELEASE}).
 *
 * <p>On each server, in rounds whose order alternates (forward, then backward), each measurement on
 * a fresh database of its own, with C clients:
 * <ul>
 * <li>the baseline: the server's raw single-document writes, C writers, 10 s;</li>
 * <li>ours on one node: C clients making T transfers between 10 accounts, through the ledger
 * module in this JVM as a node runs it;</li>
 * <li>ours on two nodes: the same, C/2 clients on each of two ledger nodes (each its own engine,
 * resolver and connections), the second through the last coordinator, each serving its relay on
 * loopback HTTP as {@code switchboard.ledger.relay-url} makes a node do; and the same without the
 * relay (the nodes hand over through the database only);</li>
 * <li>ours among 100,000 accounts: one node, T transfers between random pairs of them, created
 * through that node, with the views' index built over them before the clock starts;</li>
 * <li>ours unguarded: one node, 10 accounts, without the database's {@code validate_doc_update}
 * ({@code switchboard.ledger.guard-writes=false}).</li>
 * </ul>
 * Every figure is the median of the rounds, with the lowest and highest. Then, once per server,
 * the log's growth: one node making transfers until the log holds G transfers, with the rate at
 * 1,000, 10,000 and 50,000. The invariant check runs after each measurement of ours among 10
 * accounts, and after the growth.
 *
 * <p>Run with {@code benchmarks/ledger [transfers T] [clients C] [rounds] [growth G]}; see
 * docs/benchmarks.md.
 */
public final class LedgerBenchmark {

    /** LightCouch logs every request at INFO; a node runs with it at WARNING (see Clients). */
    private static final Logger LIGHTCOUCH = Logger.getLogger("org.lightcouch");
    private static final int MANY_ACCOUNTS = 100_000;

    public static void main(String[] args) throws Exception {
        LIGHTCOUCH.setLevel(Level.WARNING);
        var transfers = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        var clients = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        var rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        var growth = args.length > 3 ? Integer.parseInt(args[3]) : 50_000;
        try {
            var servers = new ArrayList<Map.Entry<String, CouchDbServer>>();
            var couch = TestServers.couchDb();
            if (!couch.external() || !Boolean.getBoolean("ledger.external-only")) {
                servers.add(Map.entry("PouchDB Server (the harness's, in memory)",
                        new CouchDbServer(TestServers.pouchDb().url(), null, null, false)));
            }
            if (couch.external()) {
                servers.add(Map.entry("Apache CouchDB at " + couch.url().replaceAll("//[^@/]*@", "//") + " ("
                        + (couch.urlWithLogin().contains(",") ? "a cluster, " + couch.urlWithLogin().split(",").length + " coordinators" : "one node") + ")", couch));
            }
            System.out.printf("Ledger benchmark: %d clients, %d transfers per measurement, %d rounds in alternating order, "
                    + "each measurement on a fresh database%n", clients, transfers, rounds);
            var summaries = new ArrayList<String>();
            for (var server : servers) {
                summaries.add(measure(server.getKey(), server.getValue(), transfers, clients, rounds, growth));
            }
            System.out.println();
            System.out.println("side by side (medians):");
            summaries.forEach(System.out::println);
            System.out.printf("check: %d of %d runs ok (sum 0, head and log agree, every transfer decided once)%n", checks - checksFailed, checks);
        } finally {
            TestServers.stopAll();
        }
        System.exit(0);
    }

    private enum Kind {
        RAW("raw", "raw single-document writes"), ONE_NODE("one", "ours, 1 node, 10 accounts"), TWO_NODES("two", "ours, 2 nodes, 10 accounts"),
        TWO_NODES_NO_RELAY("two-no-relay", "ours, 2 nodes, 10 accounts, no relay"),
        MANY_ACCOUNTS("many", "ours, 1 node, 100,000 accounts"), UNGUARDED("unguarded", "ours, 1 node, 10 accounts, unguarded"),
        BATCHES("batch", "ours, 1 node, 10 accounts, batches of 1,000"),
        ATOMIC_BATCHES("atomic", "ours, 1 node, 10 accounts, atomic batches of 1,000");

        final String flag;
        final String label;

        Kind(String flag, String label) {
            this.flag = flag;
            this.label = label;
        }
    }

    private static String measure(String name, CouchDbServer server, int transfers, int clients, int rounds, int growth) throws Exception {
        System.out.println();
        System.out.println("server: " + name);
        var results = new TreeMap<Kind, List<Double>>();
        for (int round = 1; round <= rounds; round++) {
            var order = new ArrayList<>(kinds());
            if (round % 2 == 0) {
                Collections.reverse(order);
            }
            var line = new StringBuilder("round " + round + ":");
            for (var kind : order) {
                var rate = switch (kind) {
                    case RAW -> raw(server, clients);
                    case ONE_NODE -> ours(server, clients, transfers, 1, 10, true, true);
                    case TWO_NODES -> ours(server, clients, transfers, 2, 10, true, true);
                    case TWO_NODES_NO_RELAY -> ours(server, clients, transfers, 2, 10, true, false);
                    case MANY_ACCOUNTS -> ours(server, clients, transfers, 1, MANY_ACCOUNTS, true, true);
                    case UNGUARDED -> ours(server, clients, transfers, 1, 10, false, true);
                    case BATCHES -> batches(server, clients, transfers, false);
                    case ATOMIC_BATCHES -> batches(server, clients, transfers, true);
                };
                results.computeIfAbsent(kind, k -> new ArrayList<>()).add(rate);
                line.append(String.format(" %s %.1f/s;", kind.label, rate));
            }
            System.out.println(line);
        }
        var raw = medianOf(results, Kind.RAW);
        var one = medianOf(results, Kind.ONE_NODE);
        System.out.println("median (lowest-highest) of " + rounds + " rounds:");
        for (var kind : kinds()) {
            var values = results.get(kind);
            var m = median(values);
            var relative = new ArrayList<String>();
            if (kind != Kind.RAW && !Double.isNaN(raw)) {
                relative.add(String.format("%.2f of raw", m / raw));
            }
            if (kind != Kind.RAW && kind != Kind.ONE_NODE && !Double.isNaN(one)) {
                relative.add(String.format("%.2f of %s", m / one, switch (kind) {
                    case TWO_NODES, TWO_NODES_NO_RELAY, BATCHES, ATOMIC_BATCHES -> "1 node";
                    case MANY_ACCOUNTS -> "10 accounts";
                    default -> "guarded";
                }));
            }
            System.out.printf("  %-40s %8.1f/s (%.1f-%.1f)%s%n", kind.label + (kind == Kind.RAW ? ", " + clients + " writers" : ""), m,
                    values.stream().mapToDouble(Double::doubleValue).min().orElse(0), values.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                    relative.isEmpty() ? "" : "  " + String.join(", ", relative));
        }
        if (growth > 0) {
            grow(server, clients, growth, raw);
        }
        var parts = new ArrayList<String>();
        for (var kind : kinds()) {
            var m = medianOf(results, kind);
            parts.add(switch (kind) {
                case RAW -> String.format("raw %.1f/s", m);
                case ONE_NODE -> String.format("1 node %.1f/s", m) + share(m, raw, "raw");
                case TWO_NODES -> String.format("2 nodes %.1f/s", m) + share(m, one, "1 node");
                case TWO_NODES_NO_RELAY -> String.format("2 nodes without the relay %.1f/s", m) + share(m, one, "1 node");
                case MANY_ACCOUNTS -> String.format("100,000 accounts %.1f/s", m) + share(m, one, "10");
                case UNGUARDED -> String.format("unguarded %.1f/s", m) + share(m, raw, "raw");
                case BATCHES -> String.format("batches of 1,000 %.1f/s", m) + share(m, one, "1 node");
                case ATOMIC_BATCHES -> String.format("atomic batches of 1,000 %.1f/s", m) + share(m, one, "1 node");
            });
        }
        return "  " + name + ":" + System.lineSeparator() + "    " + String.join(" | ", parts);
    }

    /** The measurements to make: all, or those named in {@code -Dledger.only} (comma-separated: raw, one, two, two-no-relay, many, unguarded, batch, atomic). */
    private static List<Kind> kinds() {
        var only = System.getProperty("ledger.only", "");
        return Arrays.stream(Kind.values()).filter(k -> only.isBlank() || Arrays.asList(only.split(",")).contains(k.flag)).toList();
    }

    /** " (0.59 of raw)", or nothing when the base was not measured in this run. */
    private static String share(double m, double base, String of) {
        return Double.isNaN(base) ? "" : String.format(" (%.2f of %s)", m / base, of);
    }

    private static double medianOf(Map<Kind, List<Double>> results, Kind kind) {
        return median(results.getOrDefault(kind, List.of(Double.NaN)));
    }

    private static double median(List<Double> values) {
        var sorted = values.stream().sorted().toList();
        var n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String freshName(String kind) {
        return "bench-" + kind + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Single-document saves by {@code clients} writers for 10 s: docs/s. */
    private static double raw(CouchDbServer server, int clients) throws Exception {
        var url = URI.create(server.url());
        var name = freshName("raw");
        var db = new CouchDbClient(new CouchDbProperties().setDbName(name).setCreateDbIfNotExist(true)
                .setProtocol(url.getScheme()).setHost(url.getHost()).setPort(url.getPort())
                .setUsername(server.user()).setPassword(server.password())
                .setMaxConnections(clients * 2).setConnectionTimeout(5000).setSocketTimeout(60_000));
        var written = new AtomicLong();
        var stopAt = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        try (var pool = Executors.newFixedThreadPool(clients)) {
            for (int c = 0; c < clients; c++) {
                pool.execute(() -> {
                    while (System.nanoTime() < stopAt) {
                        var doc = new JsonObject();
                        doc.addProperty("_id", UUID.randomUUID().toString());
                        doc.addProperty("amount", 1);
                        db.save(doc);
                        written.incrementAndGet();
                    }
                });
            }
        }
        db.shutdown();
        dropDatabase(server, name);
        return written.get() / 10.0;
    }

    /** {@code transfers} transfers by {@code clients} clients spread over {@code nodes} ledger nodes, between {@code accounts} accounts: successful transfers/s. */
    private static double ours(CouchDbServer server, int clients, int transfers, int nodes, int accounts, boolean guarded, boolean relayed)
            throws Exception {
        var database = freshName("ledger");
        var ledgers = new ArrayList<Ledger>();
        var secret = UUID.randomUUID().toString();
        for (int n = 0; n < nodes; n++) {
            var ledger = Ledger.connect(n == 0 ? server.urlWithLogin() : server.fromLastWithLogin(), database, clients * 4, 500,
                    Duration.ofSeconds(120), guarded);
            ledgers.add(nodes > 1 && relayed ? ledger.relaying(secret) : ledger);
        }
        var ids = new ArrayList<String>();
        for (int i = 0; i < accounts; i++) {
            ids.add("acct-" + i);
        }
        // accounts that may go negative: no funding round, whatever their number
        ledgers.get(0).createAccounts(ids, true);
        // the views' index takes the new accounts in before the clock starts (one statement query):
        // Apache CouchDB would otherwise index 100,000 account documents in the background during the
        // measurement, a cost of the import, not of a commit
        ledgers.get(0).statement(ids.get(0), Long.MAX_VALUE, 1);
        var rate = drive(ledgers, clients, transfers, ids, made -> { });
        if (accounts <= 10) {
            check(ledgers.get(0));
        } // among 100,000 accounts the check first builds the sweep's view over every account: minutes, once

        ledgers.forEach(Ledger::close);
        dropDatabase(server, database);
        return rate;
    }

    /**
     * One node taking batches of 1,000 transfers, {@code atomic} or not, from {@code clients} clients,
     * ten times {@code transfers} in all (a batch is a thousand single transfers' worth): successful
     * transfers/s. The accounts may go negative, so an atomic batch goes through whole.
     */
    private static double batches(CouchDbServer server, int clients, int transfers, boolean atomic) throws Exception {
        var database = freshName(atomic ? "atomic" : "batch");
        var ledger = Ledger.connect(server.urlWithLogin(), database, clients * 4, 500, Duration.ofSeconds(120));
        var ids = new ArrayList<String>();
        for (int i = 0; i < 10; i++) {
            ids.add("acct-" + i);
        }
        ledger.createAccounts(ids, true);
        var batchCount = Math.max(clients, transfers * 10 / 1000);
        var next = new AtomicInteger();
        var successful = new AtomicInteger();
        var started = System.nanoTime();
        try (var pool = Executors.newFixedThreadPool(clients)) {
            for (int c = 0; c < clients; c++) {
                pool.execute(() -> {
                    for (int b; (b = next.getAndIncrement()) < batchCount; ) {
                        var random = ThreadLocalRandom.current();
                        var batch = new ArrayList<Ledger.TransferRequest>(1000);
                        for (int i = 0; i < 1000; i++) {
                            var from = random.nextInt(ids.size());
                            var to = (from + 1 + random.nextInt(ids.size() - 1)) % ids.size();
                            batch.add(new Ledger.TransferRequest("b" + b + "-" + i, ids.get(from), ids.get(to), 1 + random.nextInt(100)));
                        }
                        (atomic ? ledger.transferAtomically(batch) : ledger.transferAll(batch)).forEach(o -> {
                            if (o.transfer() != null && o.transfer().status() == TransferStatus.SUCCESSFUL) {
                                successful.incrementAndGet();
                            }
                        });
                    }
                });
            }
        }
        var rate = successful.get() / ((System.nanoTime() - started) / 1e9);
        check(ledger);
        ledger.close();
        dropDatabase(server, database);
        return rate;
    }

    /** One node making transfers until the log holds {@code total}, with the rate since the last mark at 1,000, 10,000 and 50,000. */
    private static void grow(CouchDbServer server, int clients, int total, double raw) throws Exception {
        var database = freshName("growth");
        var ledger = Ledger.connect(server.urlWithLogin(), database, clients * 4, 500, Duration.ofSeconds(120));
        var ids = new ArrayList<String>();
        for (int i = 0; i < 10; i++) {
            ids.add("acct-" + i);
        }
        ledger.createAccounts(ids, true);
        var marks = new ArrayList<>(List.of(1_000, 10_000, 50_000));
        marks.removeIf(m -> m > total);
        if (marks.isEmpty() || marks.getLast() != total) {
            marks.add(total);
        }
        System.out.printf("growth, 1 node, 10 accounts, the log grown to %d transfers (raw median %.1f docs/s):%n", total, raw);
        var next = new AtomicInteger();
        var windowStart = new AtomicLong(System.nanoTime());
        var windowCount = new AtomicInteger();
        var overall = drive(List.of(ledger), clients, total, ids, made -> {
            windowCount.incrementAndGet();
            var m = next.get();
            if (m < marks.size() && made >= marks.get(m) && next.compareAndSet(m, m + 1)) {
                var now = System.nanoTime();
                var rate = windowCount.getAndSet(0) / ((now - windowStart.getAndSet(now)) / 1e9);
                System.out.printf("  log at %6d transfers: %7.1f transfers/s since the last mark (%.2f of raw)%n", marks.get(m), rate, rate / raw);
            }
        });
        System.out.printf("  overall: %.1f transfers/s (%.2f of raw)%n", overall, overall / raw);
        check(ledger);
        ledger.close();
        dropDatabase(server, database);
    }

    /** Clients sending random transfers to random nodes until {@code total} are decided: successful transfers/s. */
    private static double drive(List<Ledger> ledgers, int clients, int total, List<String> accounts, IntConsumer decided) throws Exception {
        var made = new AtomicInteger();
        var count = new AtomicInteger();
        var successful = new AtomicInteger();
        var started = System.nanoTime();
        try (var pool = Executors.newFixedThreadPool(clients)) {
            for (int c = 0; c < clients; c++) {
                var ledger = ledgers.get(c % ledgers.size());
                pool.execute(() -> {
                    var random = ThreadLocalRandom.current();
                    while (made.incrementAndGet() <= total) {
                        var from = random.nextInt(accounts.size());
                        var to = (from + 1 + random.nextInt(accounts.size() - 1)) % accounts.size();
                        try {
                            ledger.transfer(null, accounts.get(from), accounts.get(to), 1 + random.nextInt(1000));
                            successful.incrementAndGet();
                        } catch (TransferRejectedException e) {
                            // counted by the check, not here
                        }
                        decided.accept(count.incrementAndGet());
                    }
                });
            }
        }
        return successful.get() / ((System.nanoTime() - started) / 1e9);
    }

    private static int checks;
    private static int checksFailed;

    private static void check(Ledger ledger) {
        var report = ledger.check(Duration.ofMinutes(10));
        checks++;
        if (!report.ok()) {
            checksFailed++;
            System.out.println("  CHECK FAILED: " + report);
        }
    }

    /**
     * Drops a measurement's database on an external server, which outlives the run. Not on the
     * harness's PouchDB Server: it is in memory and goes with the run, and dropping a database there
     * blocks the server for longer than the next measurement would wait.
     */
    private static void dropDatabase(CouchDbServer server, String database) {
        if (!server.external()) {
            return;
        }
        var url = URI.create(server.url());
        var db = new CouchDbClient(new CouchDbProperties().setDbName(database).setCreateDbIfNotExist(false)
                .setProtocol(url.getScheme()).setHost(url.getHost()).setPort(url.getPort())
                .setUsername(server.user()).setPassword(server.password()));
        db.context().deleteDB(database, "delete database");
        db.shutdown();
    }
}
