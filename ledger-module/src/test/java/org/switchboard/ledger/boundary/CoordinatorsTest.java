package org.switchboard.ledger.boundary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.switchboard.ledger.control.Couch;
import org.switchboard.ledger.entity.TransferStatus;
import org.switchboard.testkit.FreePort;
import org.switchboard.testkit.TestServers;

/**
 * {@code COUCHDB_URL} may name several coordinators: the ledger uses the first that answers, moves
 * on when one stops answering, and reports CouchDB unavailable (never a driver's failure) when none
 * does.
 */
class CoordinatorsTest {

    final String database = "ledger-coordinators-" + UUID.randomUUID().toString().substring(0, 8);
    Ledger ledger;

    @AfterEach
    void close() {
        if (ledger != null) {
            ledger.close();
        }
        var db = Couch.database(database);
        db.context().deleteDB(database, "delete database");
        db.shutdown();
    }

    /** A coordinator nobody listens on: a free port on the loopback. */
    private static String down() {
        return "http://127.0.0.1:" + FreePort.find();
    }

    @Test
    void aCoordinatorThatIsDownIsPassedOver() {
        ledger = Ledger.connect(down() + "," + TestServers.couchDb().urlWithLogin(), database, 4, 10, Duration.ofSeconds(20));

        ledger.createAccount("issuer", true);
        ledger.createAccount("alice", false);
        var transfer = ledger.transfer("t1", "issuer", "alice", 5);

        assertThat(transfer.status()).isEqualTo(TransferStatus.SUCCESSFUL);
        assertThat(ledger.probe()).contains("through " + URI.create(TestServers.couchDb().url()).getAuthority());
    }

    @Test
    void withNoCoordinatorAnsweringTheLedgerIsUnavailable() {
        ledger = Ledger.connect(down() + "," + down(), database, 4, 10, Duration.ofSeconds(20));

        assertThatThrownBy(() -> ledger.createAccount("alice", false)).isInstanceOf(LedgerUnavailableException.class);
        assertThatThrownBy(() -> ledger.transfer("t1", "issuer", "alice", 5)).isInstanceOf(LedgerUnavailableException.class);
        assertThatThrownBy(ledger::probe).isInstanceOf(LedgerUnavailableException.class);
    }
}
