package org.switchboard.ledger.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.switchboard.ledger.boundary.TransferOutcome;
import org.switchboard.ledger.entity.Transfer;
import org.switchboard.ledger.entity.TransferStatus;

/** Batches sent to two nodes at once on one ledger: each transfer decided once, in its batch's order, whichever node decides. */
class BatchOnTwoNodesTest extends TwoNodesOnOneDatabase {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void batchesOnBothNodesAreDecidedOnceEachInTheirOrder() throws Exception {
        nodeA.submit(transfer("mint-a", "issuer", "alice", 300), WAIT);
        nodeB.submit(transfer("mint-b", "issuer", "bob", 300), WAIT);
        // alice pays bob 10 a time, 40 times (she has 300: the first 30 succeed); bob pays alice 5 a time
        var onA = CompletableFuture.supplyAsync(() -> nodeA.submitAll(batch("a", "alice", "bob", 10, 40), WAIT));
        var onB = CompletableFuture.supplyAsync(() -> nodeB.submitAll(batch("b", "bob", "alice", 5, 40), WAIT));
        var fromA = onA.get();
        var fromB = onB.get();
        for (var outcomes : List.of(fromA, fromB)) {
            assertThat(outcomes).allSatisfy(o -> assertThat(o.refused()).isNull());
            assertThat(outcomes).allSatisfy(o -> assertThat(o.transfer().isDecided()).isTrue());
            var successful = outcomes.stream().map(TransferOutcome::transfer).filter(t -> t.status() == TransferStatus.SUCCESSFUL)
                    .map(Transfer::seq).toList();
            assertThat(successful).as("decided in the batch's order").isSorted();
        }
        // money moves both ways at once, so how many of alice's succeed depends on when bob's arrive;
        // what holds whatever the interleaving: nobody below zero, the sum zero, each decided once
        var report = InvariantCheck.run(store, nodeA, Duration.ofMinutes(1));
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.decided()).isEqualTo(82);
        var alicePaid = fromA.stream().filter(o -> o.transfer().status() == TransferStatus.SUCCESSFUL).count();
        assertThat(alicePaid).as("at least what she had at the start").isGreaterThanOrEqualTo(30);
        nodeA.close();
        nodeB.close();
    }

    @Test
    void aBatchOnTheNodeThatDecidesGoesIntoItsRoundsTogether() {
        nodeA.submit(transfer("mint", "issuer", "alice", 1000), WAIT);
        var outcomes = nodeA.submitAll(batch("t", "alice", "bob", 3, 400), WAIT);
        assertThat(nodeA.batchedTogether.get()).isEqualTo(400);
        assertThat(outcomes.subList(0, 333)).allSatisfy(o -> assertThat(o.transfer().status()).isEqualTo(TransferStatus.SUCCESSFUL));
        assertThat(outcomes.subList(333, 400)).allSatisfy(o -> assertThat(o.transfer().status()).isEqualTo(TransferStatus.REJECTED));
        var places = outcomes.subList(0, 333).stream().map(o -> o.transfer().seq()).toList();
        assertThat(places).as("in the batch's order").isSorted();
        assertThat(InvariantCheck.run(store, nodeA, Duration.ofMinutes(1)).ok()).isTrue();
        nodeA.close();
        nodeB.close();
    }

    private static List<Transfer> batch(String prefix, String from, String to, long amount, int count) {
        var base = Instant.now();
        var batch = new ArrayList<Transfer>();
        IntStream.range(0, count).forEach(i -> batch.add(new Transfer(prefix + "-" + i, from, to, amount, base.plusNanos(i),
                TransferStatus.PENDING, null, null, null)));
        return batch;
    }
}
