package org.switchboard.ledger.boundary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.switchboard.ledger.entity.TransferStatus;
import org.switchboard.testkit.TestServers;

/**
 * The bank test on a three-node Apache CouchDB cluster the harness starts
 * ({@code SWITCHBOARD_TEST_COUCHDB_RELEASE}): two ledger nodes writing through different
 * coordinators, 6 clients sending random transfers between 8 accounts to either, one in five sent
 * twice, and a CouchDB node killed with SIGKILL mid-run and started again. Whatever could not be
 * answered (CouchDB unavailable, still pending) is sent again under its id until it is. At the end
 * no money was made or lost, no account that may not go negative is, by the head or by the log,
 * every transfer was decided once, and every id kept its first outcome.
 */
class ClusterBankTest {

    final String database = "ledger-bank-" + UUID.randomUUID().toString().substring(0, 8); // one per run: JUnit makes an instance per run
    final List<Ledger> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(Ledger::close);
    }

    /** With the relay between the ledger nodes, and without it (through the database only). */
    @ParameterizedTest(name = "relay {0}")
    @ValueSource(booleans = {true, false})
    void noDoubleSpendThroughTwoCoordinatorsWithACouchDbNodeKilledAndRestarted(boolean relayed) throws Exception {
        var cluster = TestServers.couchDbCluster();
        assumeTrue(cluster.isPresent(), "needs SWITCHBOARD_TEST_COUCHDB_RELEASE: a CouchDB cluster the harness starts and may kill");
        var server = cluster.get().server();
        var secret = UUID.randomUUID().toString();
        for (var url : List.of(server.urlWithLogin(), server.fromLastWithLogin())) {
            var node = Ledger.connect(url, database, 16, 100, Duration.ofSeconds(10));
            nodes.add(relayed ? node.relaying(secret) : node);
        }
        var a = nodes.get(0);
        a.createAccount("issuer", true);
        var accounts = new ArrayList<String>();
        for (int i = 0; i < 8; i++) {
            accounts.add("acc" + i);
            a.createAccount("acc" + i, false);
            a.transfer("fund-" + i, "issuer", "acc" + i, 1000);
        }
        var outcomes = new ConcurrentHashMap<String, TransferStatus>();
        var disagreements = new ConcurrentLinkedQueue<String>();
        var resent = new AtomicInteger();
        var done = new AtomicInteger();

        try (var clients = Executors.newFixedThreadPool(6)) {
            var work = new ArrayList<Future<?>>();
            for (int c = 0; c < 6; c++) {
                int client = c;
                work.add(clients.submit(() -> {
                    var random = ThreadLocalRandom.current();
                    for (int i = 0; i < 120; i++) {
                        var id = "t" + client + "-" + i;
                        var from = random.nextInt(8);
                        var to = (from + 1 + random.nextInt(7)) % 8;
                        var amount = 1 + random.nextInt(400);
                        for (int send = 0; send < (i % 5 == 0 ? 2 : 1); send++) {
                            var outcome = decide(id, accounts.get(from), accounts.get(to), amount, resent, disagreements);
                            var first = outcomes.putIfAbsent(id, outcome);
                            if (first != null && first != outcome) {
                                disagreements.add(id + ": " + first + " then " + outcome);
                            }
                        }
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            while (done.get() < 200) {
                Thread.sleep(50);
            }
            cluster.get().kill(2);
            Thread.sleep(3000);
            cluster.get().restart(2);
            for (var f : work) {
                f.get(10, TimeUnit.MINUTES);
            }
        }

        var check = a.check(Duration.ofMinutes(1));
        long total = 0;
        for (var account : accounts) {
            total += nodes.get(1).account(account).orElseThrow().balance();
        }
        for (var entry : outcomes.entrySet()) {
            assertThat(a.find(entry.getKey()).orElseThrow().status()).as(entry.getKey()).isEqualTo(entry.getValue());
        }
        System.out.println("bank test on a CouchDB cluster, " + (relayed ? "with" : "without") + " the relay: " + outcomes.size() + " transfers, a CouchDB node killed and restarted, "
                + resent.get() + " sends repeated after CouchDB was unavailable or the transfer still pending; check ok=" + check.ok()
                + ", decided " + check.decided() + ", disagreements " + disagreements.size());
        assertThat(check.ok()).as(check.toString()).isTrue();
        assertThat(total).as("no money made or lost").isEqualTo(8000);
        assertThat(disagreements).as("every id kept its first outcome").isEmpty();
        assertThat(outcomes).hasSize(6 * 120);
    }

    /** Sends the transfer to either node until it is decided: its outcome. */
    private TransferStatus decide(String id, String from, String to, long amount, AtomicInteger resent, ConcurrentLinkedQueue<String> disagreements) {
        var random = ThreadLocalRandom.current();
        while (true) {
            var node = nodes.get(random.nextInt(nodes.size()));
            try {
                return node.transfer(id, from, to, amount).status();
            } catch (TransferRejectedException e) {
                return TransferStatus.REJECTED;
            } catch (TransferConflictException e) {
                disagreements.add(id + ": conflict " + e.getMessage());
                return TransferStatus.REJECTED;
            } catch (LedgerUnavailableException | TransferPendingException e) {
                resent.incrementAndGet();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(interrupted);
                }
            }
        }
    }
}
