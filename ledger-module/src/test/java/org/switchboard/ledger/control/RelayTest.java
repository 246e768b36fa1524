package org.switchboard.ledger.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lightcouch.CouchDbClient;
import org.switchboard.ledger.boundary.TransferConflictException;
import org.switchboard.ledger.entity.TransferStatus;

/**
 * Two nodes whose callers' transfers go to the deciding node over HTTP: every transfer is decided
 * once, the follower's callers are answered by the decider's answers, and whatever keeps a relay
 * from answering (a secret that differs, a node gone) leaves the transfers to the database's way.
 */
class RelayTest {

    CouchDbClient db = Couch.freshDatabase();
    CouchLedgerStore one = new CouchLedgerStore(db);
    CouchLedgerStore two = new CouchLedgerStore(db);
    Resolver[] nodes = {new Resolver(one, 100), new Resolver(two, 100)};
    List<HttpServer> servers = new ArrayList<>();
    static final String SECRET = "the-secret-of-the-nodes";

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
        for (var node : nodes) {
            node.close();
        }
        Couch.drop(db);
    }


    /** Each node serves its relay and sends through it, with its own secret. */
    private void relays(String secretOne, String secretTwo) throws Exception {
        var secrets = new String[] {secretOne, secretTwo};
        for (int i = 0; i < 2; i++) {
            var node = nodes[i];
            var server = Relay.serve((auth, body) -> node.relay().receive(auth, body, (t, w) -> node.submit(t, w, false)));
            servers.add(server);
            node.relayThrough(Relay.at(Relay.address(server), secrets[i]));
        }
    }

    @Test
    void theFollowersTransfersGoToTheDeciderOverHttp() throws Exception {
        relays(SECRET, SECRET);
        TwoNodeBank.run(one, nodes);
        var sent = nodes[0].relay().sent.get() + nodes[1].relay().sent.get();
        assertThat(sent).as("transfers relayed to the node that decides").isPositive();
        assertThat(nodes[0].relay().received.get() + nodes[1].relay().received.get()).isEqualTo(sent);
    }

    @Test
    void aRelayThatRefusesTheSecretLeavesTheTransfersToTheDatabase() throws Exception {
        relays(SECRET, "another-secret-of-the-nodes");
        TwoNodeBank.run(one, nodes);
        assertThat(nodes[0].relay().sent.get() + nodes[1].relay().sent.get()).isZero();
        assertThat(nodes[0].relay().received.get() + nodes[1].relay().received.get()).isZero();
        assertThat(nodes[0].decidedForOthers.get() + nodes[1].decidedForOthers.get())
                .as("transfers handed over through an inbox instead").isPositive();
    }

    @Test
    void aRelayThatIsGoneLeavesTheTransfersToTheDatabase() throws Exception {
        relays(SECRET, SECRET);
        servers.forEach(s -> s.stop(0));
        servers.clear();
        TwoNodeBank.run(one, nodes);
        assertThat(nodes[0].relay().sent.get() + nodes[1].relay().sent.get()).isZero();
    }

    @Test
    void aShortSecretIsRefused() {
        assertThatThrownBy(() -> Relay.at("http://127.0.0.1:1/relay", "short"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16");
        assertThat(Relay.at("http://127.0.0.1:1/relay", null).on()).isFalse();
        assertThat(Relay.at(null, SECRET).on()).isFalse();
    }

    @Test
    void theRelayAnswersBadInputWithAProblemAndStoresNothing() throws Exception {
        relays(SECRET, SECRET);
        one.install();
        one.createAccount("issuer", true);
        one.createAccount("a0", false);
        var relay = nodes[0].relay();
        var ok = "{\"id\":\"r1\",\"from\":\"issuer\",\"to\":\"a0\",\"amount\":5,\"timestamp\":1,\"waitMillis\":10000}";
        assertThat(relay.receive(null, ok, (t, w) -> nodes[0].submit(t, w, false)).status()).isEqualTo(401);
        assertThat(relay.receive("Bearer wrong", ok, (t, w) -> nodes[0].submit(t, w, false)).status()).isEqualTo(401);
        var malformed = relay.receive("Bearer " + SECRET, "{\"id\":", (t, w) -> nodes[0].submit(t, w, false));
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.contentType()).isEqualTo("application/problem+json");
        var oversized = relay.receive("Bearer " + SECRET, "{\"id\":\"" + "x".repeat(5000) + "\"}", (t, w) -> nodes[0].submit(t, w, false));
        assertThat(oversized.status()).isEqualTo(400);
        assertThat(one.find("r1")).isEmpty();

        var decided = relay.receive("Bearer " + SECRET, ok, (t, w) -> nodes[0].submit(t, w, false));
        assertThat(decided.status()).isEqualTo(200);
        var answer = CouchLedgerStore.transfer(JsonParser.parseString(decided.body()).getAsJsonObject());
        assertThat(answer.status()).isEqualTo(TransferStatus.SUCCESSFUL);
        assertThat(answer).isEqualTo(one.find("r1").orElseThrow());

        var changed = relay.receive("Bearer " + SECRET, ok.replace("\"amount\":5", "\"amount\":6"), (t, w) -> nodes[0].submit(t, w, false));
        assertThat(changed.status()).isEqualTo(409);
        assertThat(JsonParser.parseString(changed.body()).getAsJsonObject().get("field").getAsString()).isEqualTo("amount");
        // the sending side throws the other node's refusal as its own
        var sender = Relay.at("http://127.0.0.1:1/unused", SECRET);
        var conflict = catchThrowable(() -> sender.send(Relay.address(servers.get(0)),
                TwoNodeBank.transfer("r1", "issuer", "a0", 7), TwoNodeBank.WAIT));
        assertThat(conflict).isInstanceOf(TransferConflictException.class);
        var resent = sender.send(Relay.address(servers.get(0)),
                TwoNodeBank.transfer("r1", "issuer", "a0", 5), TwoNodeBank.WAIT);
        assertThat(resent).contains(answer);
    }
}
