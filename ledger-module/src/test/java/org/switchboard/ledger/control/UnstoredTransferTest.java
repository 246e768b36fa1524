package org.switchboard.ledger.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.switchboard.ledger.entity.Transfer;
import org.switchboard.ledger.entity.TransferStatus;

/**
 * The node that decides takes its callers' transfers into a round unstored, and writes each one once,
 * decided. Whatever happens between the commit and that write, a transfer is decided once, at one
 * place, and the log and the head agree.
 */
class UnstoredTransferTest extends TwoNodesOnOneDatabase {

    @BeforeEach
    void bothNodesKnowTheAccounts() {
        var rules = Map.of("issuer", true, "alice", false, "bob", false);
        nodeA.knows(rules);
        nodeB.knows(rules);
    }

    @Test
    void aTransferIsWrittenOnceAlreadyDecided() {
        var answered = nodeA.submit(transfer("t1", "issuer", "alice", 100), Duration.ofSeconds(10));

        assertThat(answered.status()).isEqualTo(TransferStatus.SUCCESSFUL);
        assertThat(answered.seq()).isEqualTo(1);
        var doc = db.find(JsonObject.class, "transfer:t1");
        assertThat(doc.get("_rev").getAsString()).as("one write: no pending revision before it").startsWith("1-");
        assertThat(doc.get("status").getAsString()).isEqualTo("successful");
        assertThat(store.balancesFromLog()).isEqualTo(store.head().balances());
    }

    @Test
    void aNodeThatDiesAfterItsCommitIsFinishedByAnotherFromWhatTheHeadCarries() {
        nodeA.afterCommit = () -> {
            throw new IllegalStateException("killed between commit and write");
        };
        var sent = transfer("t1", "issuer", "alice", 100);
        assertThatThrownBy(() -> nodeA.submit(sent, Duration.ofSeconds(10))).hasMessageContaining("killed");
        assertThat(store.find("t1")).as("committed at the head, not in the log yet").isEmpty();
        assertThat(store.head().balances()).isEqualTo(Map.of("issuer", -100L, "alice", 100L));

        // the caller's resend goes to the other node: it writes the committed batch out, then finds the id
        var resent = nodeB.submit(sent, Duration.ofSeconds(10));

        assertThat(resent.status()).isEqualTo(TransferStatus.SUCCESSFUL);
        assertThat(resent.seq()).isEqualTo(1);
        var logged = store.find("t1").orElseThrow();
        assertThat(logged).extracting(Transfer::from, Transfer::to, Transfer::amount, t -> t.timestamp().toEpochMilli())
                .containsExactly("issuer", "alice", 100L, sent.timestamp().toEpochMilli());
        assertThat(store.head().seq()).isEqualTo(1);
        assertThat(store.balancesFromLog()).isEqualTo(store.head().balances());
    }

    @Test
    void aTransferStoredPendingWhileItsRoundDecidesItIsDecidedOnce() {
        // between deciding and committing, the same transfer is stored pending (a resend through
        // another node, or its caller's wait ending): the decision is then written onto that document
        nodeA.beforeCommit = () -> {
            nodeA.beforeCommit = () -> { };
            nodeB.store(transfer("t1", "issuer", "alice", 100), Duration.ofSeconds(10));
        };

        var answered = nodeA.submit(transfer("t1", "issuer", "alice", 100), Duration.ofSeconds(10));

        assertThat(answered.status()).isEqualTo(TransferStatus.SUCCESSFUL);
        assertThat(db.find(JsonObject.class, "transfer:t1").get("_rev").getAsString()).startsWith("2-");
        assertThat(nodeB.resolveAll()).as("nothing left pending").isZero();
        assertThat(store.head().seq()).isEqualTo(1);
        assertThat(store.balancesFromLog()).isEqualTo(Map.of("issuer", -100L, "alice", 100L));
    }

    @Test
    void aCallerWhoseWaitEndsFindsItsTransferStoredPendingAndItIsDecidedOnceLater() throws Exception {
        var inRound = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        nodeA.beforeCommit = () -> {
            nodeA.beforeCommit = () -> { };
            inRound.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var first = pool.submit(() -> nodeA.submit(transfer("t1", "issuer", "alice", 100), Duration.ofSeconds(10)));
            assertThat(inRound.await(10, TimeUnit.SECONDS)).isTrue();

            var late = nodeA.submit(transfer("t2", "issuer", "bob", 5), Duration.ofMillis(300));

            assertThat(late.status()).as("answered as pending: in the log, so no node loses it").isEqualTo(TransferStatus.PENDING);
            assertThat(store.find("t2").orElseThrow().status()).isEqualTo(TransferStatus.PENDING);
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(TransferStatus.SUCCESSFUL);
        }
        nodeA.resolveAll();
        nodeB.resolveAll();

        var decided = store.find("t2").orElseThrow();
        assertThat(decided.status()).isEqualTo(TransferStatus.SUCCESSFUL);
        assertThat(decided.seq()).isEqualTo(2);
        assertThat(nodeA.submit(transfer("t2", "issuer", "bob", 5), Duration.ofSeconds(10)).seq()).isEqualTo(2);
        assertThat(store.head().seq()).isEqualTo(2);
        assertThat(store.balancesFromLog()).isEqualTo(Map.of("issuer", -105L, "alice", 100L, "bob", 5L));
    }

    @Test
    void anIdDecidedLongAgoIsAnsweredAsItWasNotDecidedAgain() {
        nodeA.submit(transfer("t1", "issuer", "alice", 100), Duration.ofSeconds(10));
        nodeB.submit(transfer("t2", "issuer", "bob", 1), Duration.ofSeconds(10)); // node A's chain of commits ends

        var again = nodeA.submit(transfer("t1", "issuer", "alice", 100), Duration.ofSeconds(10));
        var onItsChain = nodeB.submit(transfer("t2", "issuer", "bob", 1), Duration.ofSeconds(10));

        assertThat(again.seq()).isEqualTo(1);
        assertThat(onItsChain.seq()).isEqualTo(2);
        assertThat(store.head().seq()).isEqualTo(2);
        assertThat(store.balancesFromLog()).isEqualTo(Map.of("issuer", -101L, "alice", 100L, "bob", 1L));
    }
}
