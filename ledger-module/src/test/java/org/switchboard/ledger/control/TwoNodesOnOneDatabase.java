package org.switchboard.ledger.control;

import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.lightcouch.CouchDbClient;
import org.switchboard.ledger.entity.Transfer;
import org.switchboard.ledger.entity.TransferStatus;

/** A fresh ledger database with the accounts issuer (may go negative), alice and bob, and two resolvers on it, as two nodes. */
abstract class TwoNodesOnOneDatabase {

    final CouchDbClient db = Couch.freshDatabase();
    final CouchLedgerStore store = new CouchLedgerStore(db);
    final Resolver nodeA = new Resolver(store, 100);
    final Resolver nodeB = new Resolver(store, 100);

    @BeforeEach
    void installWithAccounts() {
        store.install();
        store.createAccount("issuer", true);
        store.createAccount("alice", false);
        store.createAccount("bob", false);
    }

    @AfterEach
    void drop() {
        Couch.drop(db);
    }

    static Transfer transfer(String id, String from, String to, long amount) {
        return new Transfer(id, from, to, amount, Instant.now(), TransferStatus.PENDING, null, null, null);
    }
}
