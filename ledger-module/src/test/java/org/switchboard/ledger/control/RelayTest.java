package org.switchboard.ledger.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lightcouch.CouchDbClient;
import org.switchboard.ledger.entity.Transfer;
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
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String SECRET = "the-secret-of-the-nodes";

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
        for (var node : nodes) {
            node.close();
        }
        Couch.drop(db);
    }

    private static Transfer transfer(String id, String from, String to, long amount) {
        return new Transfer(id, from, to, amount, Instant.now(), TransferStatus.PENDING, null, null, null);
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

    /** 8 clients, 40 transfers each, half on each node, after both nodes saw the other commit. */
    private void bank() throws Exception {
        one.install();
        one.createAccount("issuer", true);
        for (int i = 0; i < 4; i++) {
            one.createAccount("a" + i, false);
        }
        nodes[0].submit(transfer("w0", "issuer", "a0", 1), WAIT);
        nodes[1].submit(transfer("w1", "issuer", "a1", 1), WAIT);
        nodes[0].submit(transfer("w2", "issuer", "a2", 1), WAIT);
        var made = new ArrayList<Future<Transfer>>();
        try (var pool = Executors.newFixedThreadPool(8)) {
            for (int c = 0; c < 8; c++) {
                var node = nodes[c % 2];
                var client = c;
                made.add(pool.submit(() -> {
                    Transfer last = null;
                    for (int i = 0; i < 40; i++) {
                        last = node.submit(transfer("c" + client + "-" + i, "issuer", "a" + (i % 4), 1), WAIT);
                        assertThat(last.status()).isEqualTo(TransferStatus.SUCCESSFUL);
                        assertThat(last.seq()).isNotNull();
                    }
                    return last;
                }));
            }
            for (var f : made) {
                assertThat(f.get().status()).isEqualTo(TransferStatus.SUCCESSFUL);
            }
        }
        var report = InvariantCheck.run(one, nodes[0], Duration.ofMinutes(1));
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.decided()).isEqualTo(3 + 8 * 40);
    }

    @Test
    void theFollowersTransfersGoToTheDeciderOverHttp() throws Exception {
        relays(SECRET, SECRET);
        bank();
        var sent = nodes[0].relay().sent.get() + nodes[1].relay().sent.get();
        assertThat(sent).as("transfers relayed to the node that decides").isPositive();
        assertThat(nodes[0].relay().received.get() + nodes[1].relay().received.get()).isEqualTo(sent);
    }

    @Test
    void aRelayThatRefusesTheSecretLeavesTheTransfersToTheDatabase() throws Exception {
        relays(SECRET, "another-secret-of-the-nodes");
        bank();
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
        bank();
        assertThat(nodes[0].relay().sent.get() + nodes[1].relay().sent.get()).isZero();
    }

    @Test
    void aShortSecretIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Relay.at("http://127.0.0.1:1/relay", "short"))
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
        var conflict = org.assertj.core.api.Assertions.catchThrowable(() -> sender.send(Relay.address(servers.get(0)),
                new Transfer("r1", "issuer", "a0", 7, Instant.now(), TransferStatus.PENDING, null, null, null), WAIT));
        assertThat(conflict).isInstanceOf(org.switchboard.ledger.boundary.TransferConflictException.class);
        var resent = sender.send(Relay.address(servers.get(0)),
                new Transfer("r1", "issuer", "a0", 5, Instant.now(), TransferStatus.PENDING, null, null, null), WAIT);
        assertThat(resent).contains(answer);
    }
}
