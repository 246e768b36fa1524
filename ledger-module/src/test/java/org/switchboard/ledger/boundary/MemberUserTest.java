package org.switchboard.ledger.boundary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.switchboard.ledger.entity.TransferStatus;
import org.switchboard.testkit.TestServers;

/**
 * The ledger run by a CouchDB user that is a member of its database and no server admin, as the
 * README sets it up: an admin makes the user, the database and its {@code _security}, and starts the
 * ledger once; the member then runs it. Apache CouchDB only (PouchDB Server has no such users).
 */
class MemberUserTest {

    final String suffix = UUID.randomUUID().toString().substring(0, 8);
    final String database = "ledger-member-" + suffix;
    final String member = "ledger-member-" + suffix;
    final String memberPassword = UUID.randomUUID().toString();
    final HttpClient http = HttpClient.newHttpClient();
    String server;

    @BeforeEach
    void prepareAsAdmin() throws Exception {
        assumeTrue(TestServers.couchDb().external() && TestServers.couchDb().user() != null, "needs an Apache CouchDB and its admin");
        server = TestServers.couchDb().url();
        admin("PUT", "/_users/org.couchdb.user:" + member,
                "{\"name\":\"" + member + "\",\"password\":\"" + memberPassword + "\",\"roles\":[],\"type\":\"user\"}");
        admin("PUT", "/" + database, null);
        admin("PUT", "/" + database + "/_security",
                "{\"admins\":{\"names\":[],\"roles\":[]},\"members\":{\"names\":[\"" + member + "\"],\"roles\":[]}}");
        var once = Ledger.connect(TestServers.couchDb().urlWithLogin(), database, 2, 10, Duration.ofSeconds(10));
        once.probe(); // the design document, the head
    }

    @AfterEach
    void drop() throws Exception {
        if (server != null) {
            admin("DELETE", "/" + database, null);
            var user = admin("GET", "/_users/org.couchdb.user:" + member, null);
            var rev = user.strip().replaceAll(".*\"_rev\":\"([^\"]+)\".*", "$1");
            admin("DELETE", "/_users/org.couchdb.user:" + member + "?rev=" + rev, null);
        }
    }

    @Test
    void aMemberRunsTheLedgerOnADatabaseAnAdminPrepared() {
        var uri = URI.create(server);
        var ledger = Ledger.connect(uri.getScheme() + "://" + member + ":" + memberPassword + "@" + uri.getAuthority(),
                database, 4, 10, Duration.ofSeconds(10));

        assertThat(ledger.probe()).startsWith("CouchDB API");
        ledger.createAccount("issuer", true);
        ledger.createAccount("alice", false);
        assertThat(ledger.transfer("t1", "issuer", "alice", 5).status()).isEqualTo(TransferStatus.SUCCESSFUL);
        assertThat(ledger.check(Duration.ofMinutes(1)).ok()).isTrue();
    }

    @Test
    void aUserThatIsNoMemberGetsUnavailableNotAFailure() {
        var uri = URI.create(server);
        var ledger = Ledger.connect(uri.getScheme() + "://" + member + ":wrong-" + memberPassword + "@" + uri.getAuthority(),
                database, 4, 10, Duration.ofSeconds(10));

        assertThatThrownBy(ledger::probe).isInstanceOf(LedgerUnavailableException.class);
        assertThatThrownBy(() -> ledger.transfer("t1", "issuer", "alice", 5)).isInstanceOf(LedgerUnavailableException.class);
    }

    private String admin(String method, String path, String body) throws IOException, InterruptedException {
        var login = TestServers.couchDb().user() + ":" + TestServers.couchDb().password();
        var request = HttpRequest.newBuilder(URI.create(server + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        var answer = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + ": " + answer.statusCode() + " " + answer.body());
        }
        return answer.body();
    }
}
