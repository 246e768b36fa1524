package org.switchboard.ledger.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.switchboard.ledger.entity.TransferStatus;

/**
 * A node decides the transfers it stored itself on the head it committed last, without reading
 * either back. Both shortcuts must give way when someone else decided meanwhile: the transfer is
 * decided once, whoever decided it, and the balances count it once.
 */
class UnreadTransferTest extends TwoNodesOnOneDatabase {

    @BeforeEach
    void nodeAHoldsTheHead() {
        // node A commits once, so that it holds the head it made and decides its next transfers on it
        nodeA.submit(transfer("opening", "issuer", "alice", 100), Duration.ofSeconds(10));
    }

    @Test
    void aTransferAnotherNodeDecidedAfterThisNodeStoredItIsNotDecidedAgain() {
        var stored = nodeA.store(transfer("t1", "alice", "bob", 60), Duration.ofSeconds(10)).transfer();
        assertThat(nodeB.resolveAll()).isEqualTo(1); // node B's sweep finds it pending and decides it

        var answered = nodeA.await(stored, Duration.ofSeconds(10));

        assertThat(answered.status()).isEqualTo(TransferStatus.SUCCESSFUL);
        assertThat(store.head().seq()).isEqualTo(2);
        assertThat(store.head().balances()).isEqualTo(Map.of("issuer", -100L, "alice", 40L, "bob", 60L));
        assertThat(store.balancesFromLog()).isEqualTo(store.head().balances());
    }

    @Test
    void aTransferThisNodesOwnSweepDecidedIsNotDecidedAgain() {
        var stored = nodeA.store(transfer("t1", "alice", "bob", 60), Duration.ofSeconds(10)).transfer();
        assertThat(nodeA.resolveAll()).isEqualTo(1); // the sweep of the node that stored it

        var answered = nodeA.await(stored, Duration.ofSeconds(10));

        assertThat(answered.status()).isEqualTo(TransferStatus.SUCCESSFUL);
        assertThat(store.head().seq()).isEqualTo(2);
        assertThat(store.head().balances()).isEqualTo(Map.of("issuer", -100L, "alice", 40L, "bob", 60L));
    }

    @Test
    void aTransferStoredBeforeThisNodeLastLostTheHeadIsReadBack() {
        var stored = nodeA.store(transfer("t1", "alice", "bob", 60), Duration.ofSeconds(10)).transfer();
        assertThat(nodeB.resolveAll()).isEqualTo(1);
        // node A loses the head to node B, reads it again and commits on it: a new chain of its own
        assertThat(nodeA.submit(transfer("t2", "bob", "alice", 10), Duration.ofSeconds(10)).status()).isEqualTo(TransferStatus.SUCCESSFUL);

        var answered = nodeA.await(stored, Duration.ofSeconds(10));

        assertThat(answered.status()).isEqualTo(TransferStatus.SUCCESSFUL);
        assertThat(store.head().seq()).isEqualTo(3);
        assertThat(store.head().balances()).isEqualTo(Map.of("issuer", -100L, "alice", 50L, "bob", 50L));
    }

    @Test
    void aNodeWhoseHeadMovedElsewhereDecidesOnTheNewOne() {
        nodeB.submit(transfer("b1", "alice", "bob", 70), Duration.ofSeconds(10)); // node A's head is stale now

        var answered = nodeA.submit(transfer("a1", "alice", "bob", 70), Duration.ofSeconds(10));

        assertThat(answered.status()).as("alice has 30 left after node B's transfer").isEqualTo(TransferStatus.REJECTED);
        assertThat(store.head().balances()).isEqualTo(Map.of("issuer", -100L, "alice", 30L, "bob", 70L));
    }
}
