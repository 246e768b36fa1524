package org.switchboard.ledger.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lightcouch.CouchDbClient;
import org.switchboard.ledger.entity.Transfer;
import org.switchboard.ledger.entity.TransferStatus;

/**
 * Two nodes on one ledger: once they have seen each other commit, one decides for both, the other's
 * callers are answered through the changes feed, and a decider that stops is taken over from.
 */
class OneDeciderTest {

    CouchDbClient db = Couch.freshDatabase();
    CouchLedgerStore one = new CouchLedgerStore(db);
    CouchLedgerStore two = new CouchLedgerStore(db);

    @AfterEach
    void drop() {
        Couch.drop(db);
    }

    private static Transfer transfer(String id, String from, String to, long amount) {
        return new Transfer(id, from, to, amount, Instant.now(), TransferStatus.PENDING, null, null, null);
    }

    @Test
    void oneNodeDecidesForBothAndAStoppedDeciderIsTakenOverFrom() throws Exception {
        one.install();
        one.createAccount("issuer", true);
        for (int i = 0; i < 4; i++) {
            one.createAccount("a" + i, false);
        }
        var nodes = new Resolver[] {new Resolver(one, 100), new Resolver(two, 100)};
        var wait = Duration.ofSeconds(30);
        // each node commits once after the other: both have seen the other decide, and follow the feed
        nodes[0].submit(transfer("w0", "issuer", "a0", 1), wait);
        nodes[1].submit(transfer("w1", "issuer", "a1", 1), wait);
        nodes[0].submit(transfer("w2", "issuer", "a2", 1), wait);
        var made = new ArrayList<Future<Transfer>>();
        try (var pool = Executors.newFixedThreadPool(8)) {
            for (int c = 0; c < 8; c++) {
                var node = nodes[c % 2];
                var client = c;
                made.add(pool.submit(() -> {
                    Transfer last = null;
                    for (int i = 0; i < 40; i++) {
                        last = node.submit(transfer("c" + client + "-" + i, "issuer", "a" + (i % 4), 1), wait);
                    }
                    return last;
                }));
            }
            for (var f : made) {
                assertThat(f.get().status()).isEqualTo(TransferStatus.SUCCESSFUL);
            }
        }
        assertThat(nodes[0].answeredByFeed.get() + nodes[1].answeredByFeed.get())
                .as("callers of the node that does not decide answered by the other's decisions").isPositive();
        assertThat(nodes[0].decidedForOthers.get() + nodes[1].decidedForOthers.get())
                .as("transfers handed over through an inbox and decided by the other node").isPositive();
        var report = InvariantCheck.run(one, nodes[0], Duration.ofMinutes(1));
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.decided()).isEqualTo(3 + 8 * 40);

        // the node that decides stops; the other's next transfer is still decided, by itself
        var decider = nodes[0].decides() ? nodes[0] : nodes[1];
        var other = decider == nodes[0] ? nodes[1] : nodes[0];
        decider.close();
        for (int i = 0; i < 100 && decider.following.get(); i++) {
            Thread.sleep(50); // its feed ends
        }
        assertThat(decider.following.get()).as("the stopped decider's feed ended").isFalse();
        var after = other.submit(transfer("after", "issuer", "a0", 5), wait);
        assertThat(after.status()).isEqualTo(TransferStatus.SUCCESSFUL);
        assertThat(other.decides()).isTrue();
        other.close();
    }
}
