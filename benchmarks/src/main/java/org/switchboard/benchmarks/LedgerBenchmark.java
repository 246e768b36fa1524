package org.switchboard.benchmarks;

import com.google.gson.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.lightcouch.CouchDbClient;
import org.lightcouch.CouchDbProperties;
import org.switchboard.ledger.boundary.Ledger;
import org.switchboard.ledger.boundary.TransferRejectedException;
import org.switchboard.testkit.TestServers;

/**
 * The ledger against a PouchDB Server (the CouchDB API) started by the test kit, in one run: the
 * server's raw single-document write rate with C concurrent writers (the baseline); then the ledger
 * module in this JVM, as a node runs it, with C clients making transfers between 8 accounts until
 * the log holds N transfers, printing the rate of successful transfers at each milestone of the
 * log's growth; finally the invariant check over the whole log.
 *
 * <p>Run with {@code benchmarks/ledger [transfers] [clients]}; see docs/benchmarks.md.
 */
public final class LedgerBenchmark {

    /** LightCouch logs every request at INFO; a node runs with it at WARNING (see Clients). */
    private static final Logger LIGHTCOUCH = Logger.getLogger("org.lightcouch");

    public static void main(String[] args) throws Exception {
        LIGHTCOUCH.setLevel(Level.WARNING);
        var total = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        var clients = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        try {
            run(total, clients);
        } finally {
            TestServers.stopAll();
        }
        System.exit(0);
    }

    private static CouchDbClient database(String name, int connections) {
        var server = TestServers.couchDb();
        var url = URI.create(server.url());
        return new CouchDbClient(new CouchDbProperties().setDbName(name).setCreateDbIfNotExist(true)
                .setProtocol(url.getScheme()).setHost(url.getHost()).setPort(url.getPort())
                .setUsername(server.user()).setPassword(server.password())
                .setMaxConnections(connections).setConnectionTimeout(5000).setSocketTimeout(60_000));
    }

    private static void run(int total, int clients) throws Exception {
        System.out.printf("Ledger benchmark: " + (TestServers.couchDb().external() ? "the external CouchDB at " + TestServers.couchDb().url()
                : "PouchDB Server (the CouchDB API)") + ", %d clients, the log grown to %d transfers%n", clients, total);
        // the baseline: single-document saves, C writers, 10 s
        var raw = database("raw-" + UUID.randomUUID().toString().substring(0, 8), clients * 2);
        var written = new AtomicLong();
        var stopAt = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        try (var pool = Executors.newFixedThreadPool(clients)) {
            for (int c = 0; c < clients; c++) {
                pool.execute(() -> {
                    while (System.nanoTime() < stopAt) {
                        var doc = new JsonObject();
                        doc.addProperty("_id", UUID.randomUUID().toString());
                        doc.addProperty("amount", 1);
                        raw.save(doc);
                        written.incrementAndGet();
                    }
                });
            }
        }
        var rawRate = written.get() / 10.0;
        System.out.printf("baseline:  raw single-document writes, %d writers: %.0f docs/s%n", clients, rawRate);

        var ledger = Ledger.connect(TestServers.couchDb().urlWithLogin(),
                // an external server outlives the run: a database of the run's own
                TestServers.couchDb().external() ? "ledger-bench-" + UUID.randomUUID().toString().substring(0, 8) : "ledger-bench", clients * 4, 500, Duration.ofSeconds(120));
        var accounts = new ArrayList<String>();
        ledger.createAccount("issuer", true);
        for (int i = 0; i < 8; i++) {
            accounts.add("acct-" + i);
            ledger.createAccount("acct-" + i, false);
            ledger.transfer(null, "issuer", "acct-" + i, 1_000_000_000L);
        }
        var milestones = new ArrayList<>(List.of(1_000, 5_000, 10_000, 25_000, 50_000));
        milestones.removeIf(m -> m > total);
        if (milestones.isEmpty() || milestones.get(milestones.size() - 1) != total) {
            milestones.add(total);
        }
        var made = new AtomicInteger();
        var successful = new AtomicInteger();
        var rejected = new AtomicInteger();
        var windowStart = new AtomicLong(System.nanoTime());
        var windowSuccess = new AtomicInteger();
        var rates = new ConcurrentSkipListMap<Integer, Double>();
        var next = new AtomicInteger(0);
        var started = System.nanoTime();
        try (var pool = Executors.newFixedThreadPool(clients)) {
            for (int c = 0; c < clients; c++) {
                pool.execute(() -> {
                    var random = ThreadLocalRandom.current();
                    while (made.incrementAndGet() <= total) {
                        var from = accounts.get(random.nextInt(8));
                        var to = accounts.get((accounts.indexOf(from) + 1 + random.nextInt(7)) % 8);
                        try {
                            ledger.transfer(null, from, to, 1 + random.nextInt(1000));
                            successful.incrementAndGet();
                            windowSuccess.incrementAndGet();
                        } catch (TransferRejectedException e) {
                            rejected.incrementAndGet();
                        }
                        var count = successful.get() + rejected.get();
                        var m = next.get();
                        if (m < milestones.size() && count >= milestones.get(m) && next.compareAndSet(m, m + 1)) {
                            var now = System.nanoTime();
                            var rate = windowSuccess.getAndSet(0) / ((now - windowStart.getAndSet(now)) / 1e9);
                            rates.put(milestones.get(m), rate);
                            System.out.printf("log at %6d transfers: %7.1f successful transfers/s since the last mark (%.0f%% of the raw rate)%n",
                                    milestones.get(m), rate, 100 * rate / rawRate);
                        }
                    }
                });
            }
        }
        var seconds = (System.nanoTime() - started) / 1e9;
        var overall = successful.get() / seconds;
        System.out.printf("ours:      %d transfers in %.1f s (%d successful, %d rejected): %.1f successful transfers/s overall%n",
                successful.get() + rejected.get(), seconds, successful.get(), rejected.get(), overall);
        System.out.printf("ratio ours / raw single-document writes: %.2f%n", overall / rawRate);
        var first = rates.firstEntry();
        var last = rates.lastEntry();
        System.out.printf("growth:    %.1f/s at %d transfers, %.1f/s at %d: %.2fx slower%n",
                first.getValue(), first.getKey(), last.getValue(), last.getKey(), first.getValue() / last.getValue());
        var checkStarted = System.nanoTime();
        var report = ledger.check(Duration.ofMinutes(10));
        System.out.printf("check:     ok=%s, %d decided, sum %d, over the whole log in %.1f s%s%n", report.ok(), report.decided(),
                report.sumOfBalances(), (System.nanoTime() - checkStarted) / 1e9, report.notes().isEmpty() ? "" : "; " + report.notes());
        raw.shutdown();
    }
}
