package org.switchboard.ledger.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lightcouch.CouchDbClient;

/**
 * The head holds the balances changed since a checkpoint, not every balance: among many accounts it
 * stays small, starts from a new checkpoint when it grows past its cap, and every node reads the same
 * balances from it as the log gives.
 */
class CheckpointTest {

    CouchDbClient db = Couch.freshDatabase();
    CouchLedgerStore store = new CouchLedgerStore(db);

    @AfterEach
    void drop() {
        Couch.drop(db);
    }

    @Test
    void amongManyAccountsTheHeadHoldsOnlyTheLatelyChangedBalances() {
        store.install();
        store.createAccount("issuer", true);
        var accounts = 400;
        for (int i = 0; i < accounts; i++) {
            store.createAccount("a" + i, false);
        }
        var one = new Resolver(store, 50);
        var otherNode = new CouchLedgerStore(db);
        var two = new Resolver(otherNode, 50);
        var expected = new HashMap<String, Long>();
        int largestDelta = 0;
        var bases = new java.util.HashSet<String>();
        for (int i = 0; i < accounts; i++) {
            store.insert("t" + i, "issuer", "a" + i, i + 1, Instant.ofEpochMilli(i));
            expected.merge("issuer", -(i + 1L), Long::sum);
            expected.merge("a" + i, i + 1L, Long::sum);
            if (i % 10 == 9) {
                (i % 20 == 9 ? one : two).resolveAll();
                var doc = db.find(JsonObject.class, CouchLedgerStore.HEAD);
                largestDelta = Math.max(largestDelta, doc.getAsJsonObject("balances").size());
                if (doc.has("base")) {
                    bases.add(doc.get("base").getAsString());
                }
            }
        }
        new Resolver(store, 50).resolveAll();
        assertThat(bases).as("checkpoints taken as the changed balances passed the cap").hasSizeGreaterThanOrEqualTo(2);
        assertThat(largestDelta).as("changed balances in the head, at most the cap plus one batch").isLessThanOrEqualTo(
                CouchLedgerStore.MIN_DELTA_CAP + 2 * 10);
        for (var node : new CouchLedgerStore[] {store, otherNode, new CouchLedgerStore(db)}) {
            var head = node.head();
            assertThat(head.seq()).isEqualTo(accounts);
            assertThat(head.balances()).isEqualTo(expected);
            assertThat(head.balance("a7")).isEqualTo(8L);
            assertThat(head.balance("nobody")).isZero();
        }
        assertThat(store.balancesFromLog()).isEqualTo(expected);
        var report = InvariantCheck.run(store, one, java.time.Duration.ofMinutes(1));
        assertThat(report.ok()).as(report.toString()).isTrue();
    }

    @Test
    void aCheckpointIsOneDocumentWhoseBalancesTheGuardNeverSees() {
        store.install();
        store.createAccount("issuer", true);
        for (int i = 0; i < 100; i++) {
            store.createAccount("a" + i, true);
        }
        for (int i = 0; i < 100; i++) {
            store.insert("t" + i, "issuer", "a" + i, 1, Instant.ofEpochMilli(i));
        }
        new Resolver(store, 20).resolveAll();
        var head = db.find(JsonObject.class, CouchLedgerStore.HEAD);
        var base = head.get("base").getAsString();
        var checkpoint = db.find(JsonObject.class, base);
        assertThat(checkpoint.keySet()).as("the balances are in the attachment only").doesNotContain("balances");
        assertThat(checkpoint.getAsJsonObject("_attachments").has("balances.json")).isTrue();
        assertThat(base).startsWith("ledger:balances:");
        var atBase = Long.parseLong(base.substring("ledger:balances:".length(), base.indexOf('-', "ledger:balances:".length())));
        var read = new CouchLedgerStore(db).head();
        assertThat(read.base().balances()).as("the balances at the checkpoint's place").hasSize((int) atBase + 1)
                .containsEntry("issuer", -atBase);
        assertThat(read.balances()).containsEntry("issuer", -100L).hasSize(101);
        assertThat(Map.copyOf(read.delta())).doesNotContainKey("a0");
    }
}
