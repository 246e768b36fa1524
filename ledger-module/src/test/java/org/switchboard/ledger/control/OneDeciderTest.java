package org.switchboard.ledger.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lightcouch.CouchDbClient;
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

    @Test
    void oneNodeDecidesForBothAndAStoppedDeciderIsTakenOverFrom() throws Exception {
        var nodes = new Resolver[] {new Resolver(one, 100), new Resolver(two, 100)};
        TwoNodeBank.run(one, nodes);
        assertThat(nodes[0].answeredByFeed.get() + nodes[1].answeredByFeed.get())
                .as("callers of the node that does not decide answered by the other's decisions").isPositive();
        assertThat(nodes[0].decidedForOthers.get() + nodes[1].decidedForOthers.get())
                .as("transfers handed over through an inbox and decided by the other node").isPositive();

        // the node that decides stops; the other's next transfer is still decided, by itself
        var decider = nodes[0].decides() ? nodes[0] : nodes[1];
        var other = decider == nodes[0] ? nodes[1] : nodes[0];
        decider.close();
        for (int i = 0; i < 100 && decider.following.get(); i++) {
            Thread.sleep(50); // its feed ends
        }
        assertThat(decider.following.get()).as("the stopped decider's feed ended").isFalse();
        var after = other.submit(TwoNodeBank.transfer("after", "issuer", "a0", 5), TwoNodeBank.WAIT);
        assertThat(after.status()).isEqualTo(TransferStatus.SUCCESSFUL);
        assertThat(other.decides()).isTrue();
        other.close();
    }
}
