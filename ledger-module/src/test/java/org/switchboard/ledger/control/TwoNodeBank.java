package org.switchboard.ledger.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.switchboard.ledger.entity.Transfer;
import org.switchboard.ledger.entity.TransferStatus;

/**
 * Two nodes taking transfers at once, on a ledger with the accounts issuer (may go negative) and
 * a0 to a3: each node commits once after the other (both have seen the other decide, and follow the
 * feed), then 8 clients send 40 transfers each, half through each node. Every transfer is decided
 * successful, and the check is ok with all 3 + 320 decided.
 */
final class TwoNodeBank {

    static final Duration WAIT = Duration.ofSeconds(30);

    private TwoNodeBank() {
    }

    static void run(CouchLedgerStore store, Resolver[] nodes) throws Exception {
        store.install();
        store.createAccount("issuer", true);
        for (int i = 0; i < 4; i++) {
            store.createAccount("a" + i, false);
        }
        nodes[0].submit(transfer("w0", "issuer", "a0", 1), WAIT);
        nodes[1].submit(transfer("w1", "issuer", "a1", 1), WAIT);
        nodes[0].submit(transfer("w2", "issuer", "a2", 1), WAIT);
        var made = new ArrayList<Future<?>>();
        try (var pool = Executors.newFixedThreadPool(8)) {
            for (int c = 0; c < 8; c++) {
                var node = nodes[c % 2];
                var client = c;
                made.add(pool.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        var decided = node.submit(transfer("c" + client + "-" + i, "issuer", "a" + (i % 4), 1), WAIT);
                        assertThat(decided.status()).isEqualTo(TransferStatus.SUCCESSFUL);
                        assertThat(decided.seq()).isNotNull();
                    }
                    return null;
                }));
            }
            for (var f : made) {
                f.get();
            }
        }
        var report = InvariantCheck.run(store, nodes[0], Duration.ofMinutes(1));
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.decided()).isEqualTo(3 + 8 * 40);
    }

    static Transfer transfer(String id, String from, String to, long amount) {
        return new Transfer(id, from, to, amount, Instant.now(), TransferStatus.PENDING, null, null, null);
    }
}
