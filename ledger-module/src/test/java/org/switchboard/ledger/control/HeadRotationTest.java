package org.switchboard.ledger.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lightcouch.CouchDbClient;

/** The head document is rotated after some revisions; decisions go on across rotations, and a rotator that died is finished by others. */
class HeadRotationTest {

    CouchDbClient db = Couch.freshDatabase();
    CouchLedgerStore store = new CouchLedgerStore(db);

    @AfterEach
    void drop() {
        Couch.drop(db);
    }

    @Test
    void decisionsGoOnAcrossRotationsOnTwoResolvers() {
        assumeTrue(store.copies() == 1, "the head is rotated on a single server only");
        store.install();
        store.rotateAfter = 3;
        store.createAccount("issuer", true);
        store.createAccount("a", false);
        store.createAccount("b", false);
        var otherNode = new CouchLedgerStore(db);
        otherNode.rotateAfter = 3;
        var one = new Resolver(store, 10);
        var two = new Resolver(otherNode, 10);
        for (int i = 0; i < 12; i++) {
            store.insert("t" + i, i % 2 == 0 ? "issuer" : "a", i % 2 == 0 ? "a" : "b", 10, Instant.ofEpochMilli(i));
            (i % 3 == 0 ? two : one).resolveAll();
        }
        var head = otherNode.head();
        assertThat(head.epoch()).as("rotated several times").isGreaterThanOrEqualTo(3);
        assertThat(head.seq()).isEqualTo(12);
        assertThat(head.balances()).containsEntry("issuer", -60L).containsEntry("a", 0L).containsEntry("b", 60L);
        var first = db.find(JsonObject.class, "ledger:head");
        assertThat(first.get("closed").getAsBoolean()).isTrue();
        assertThat(first.get("next").getAsLong()).isEqualTo(1);
        assertThat(store.balancesFromLog()).containsEntry("issuer", -60L).containsEntry("b", 60L);
        assertThat(store.scanLog(5).places()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
    }

    @Test
    void aHeadClosedByARotatorThatDiedIsContinuedFromItsState() {
        assumeTrue(store.copies() == 1, "the head is rotated on a single server only");
        store.install();
        store.createAccount("issuer", true);
        store.createAccount("a", false);
        store.insert("x", "issuer", "a", 5, Instant.ofEpochMilli(1));
        new Resolver(store, 10).resolveAll();
        // the rotator closed the head and died before opening the next
        var doc = db.find(JsonObject.class, "ledger:head");
        doc.addProperty("closed", true);
        doc.addProperty("next", 1);
        db.update(doc);
        var fresh = new CouchLedgerStore(db);
        var head = fresh.head();
        assertThat(head.epoch()).isEqualTo(1);
        assertThat(head.seq()).isEqualTo(1);
        assertThat(head.balances()).containsEntry("a", 5L);
        fresh.insert("y", "issuer", "a", 7, Instant.ofEpochMilli(2));
        new Resolver(fresh, 10).resolveAll();
        assertThat(fresh.head().balances()).containsEntry("a", 12L);
        assertThat(fresh.find("y").orElseThrow().seq()).isEqualTo(2);
        assertThat(db.find(JsonObject.class, "ledger:head").get("seq").getAsLong()).as("the closed head is left as it was").isEqualTo(1);
    }
}
