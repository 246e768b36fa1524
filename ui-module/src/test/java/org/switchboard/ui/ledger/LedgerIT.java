package org.switchboard.ui.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.switchboard.ui.support.Api;
import org.switchboard.ui.support.ClientSideIT;
import org.switchboard.ui.support.Deployed;

/** The ledger API on the deployed WAR: accounts, transfers (201, 422, 409, retried ids), statements, the check, bad input. */
class LedgerIT extends ClientSideIT {

    final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void accountsTransfersStatementsAndTheCheck() throws Exception {
        var issuer = "issuer-" + run;
        var alice = "alice-" + run;
        var bob = "bob-" + run;
        assertThat(Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"" + issuer + "\",\"allowNegative\":true}").statusCode()).isEqualTo(201);
        assertThat(Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"" + issuer + "\",\"allowNegative\":true}").statusCode()).isEqualTo(200);
        var conflict = Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"" + issuer + "\",\"allowNegative\":false}");
        Api.assertProblem(conflict, 409);
        assertThat(Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"" + alice + "\"}").statusCode()).isEqualTo(201);
        assertThat(Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"" + bob + "\"}").statusCode()).isEqualTo(201);

        var mint = Api.transfer(base, "{\"id\":\"mint-" + run + "\",\"from\":\"" + issuer + "\",\"to\":\"" + alice + "\",\"amount\":100}");
        assertThat(mint.statusCode()).isEqualTo(201);
        assertThat(mint.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/api/ledger/transfers/mint-" + run));
        var minted = Api.json(mint.body());
        assertThat(minted.getString("status")).isEqualTo("successful");
        assertThat(minted.getJsonNumber("amount").longValue()).isEqualTo(100);
        assertThat(minted.getString("timestamp")).isNotBlank();
        var again = Api.transfer(base, "{\"id\":\"mint-" + run + "\",\"from\":\"" + issuer + "\",\"to\":\"" + alice + "\",\"amount\":100}");
        assertThat(again.statusCode()).isEqualTo(201);
        assertThat(Api.json(again.body())).as("the first outcome").isEqualTo(minted);
        var changed = Api.transfer(base, "{\"id\":\"mint-" + run + "\",\"from\":\"" + issuer + "\",\"to\":\"" + alice + "\",\"amount\":99}");
        Api.assertProblem(changed, 409);
        assertThat(Api.json(changed.body()).getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("amount");

        var tooMuch = Api.transfer(base, "{\"id\":\"big-" + run + "\",\"from\":\"" + alice + "\",\"to\":\"" + bob + "\",\"amount\":1000}");
        assertThat(tooMuch.statusCode()).isEqualTo(422);
        assertThat(tooMuch.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        var rejected = Api.json(tooMuch.body());
        assertThat(rejected.getInt("status")).as("RFC 9457: the HTTP status").isEqualTo(422);
        assertThat(rejected.getString("transferStatus")).isEqualTo("rejected");
        assertThat(rejected.getString("reason")).isEqualTo("insufficient funds");
        assertThat(Api.json(get("api/ledger/transfers/big-" + run).body()).getString("status")).isEqualTo("rejected");
        var body = "{\"id\":\"big-" + run + "\",\"from\":\"" + alice + "\",\"to\":\"" + bob + "\",\"amount\":1000}";
        var resent = Api.raw(base, "POST " + base.getPath() + "api/ledger/transfers HTTP/1.1\r\nHost: " + base.getHost() + "\r\nConnection: close\r\n"
                + "Authorization: " + Deployed.basic("admin", Deployed.adminPassword()) + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body);
        assertThat(resent.lines().findFirst()).as("the standard reason phrase").hasValue("HTTP/1.1 422 Unprocessable Content");
        assertThat(Api.transfer(base, "{\"from\":\"" + alice + "\",\"to\":\"" + bob + "\",\"amount\":40}").statusCode()).isEqualTo(201);

        assertThat(Api.json(get("api/ledger/accounts/" + alice).body()).getJsonNumber("balance").longValue()).isEqualTo(60);
        assertThat(Api.json(get("api/ledger/accounts/" + bob).body()).getJsonNumber("balance").longValue()).isEqualTo(40);
        var statement = Api.jsonArray(get("api/ledger/accounts/" + alice + "/transfers").body()).getValuesAs(JsonObject.class);
        assertThat(statement).extracting(t -> t.getString("status")).containsExactly("successful", "rejected", "successful");
        var check = Api.json(get("api/ledger/check").body());
        assertThat(check.getBoolean("ok")).as(check.toString()).isTrue();
        assertThat(check.getJsonNumber("sumOfBalances").longValue()).isZero();
        assertThat(get("api/ledger/accounts/nobody-" + run).statusCode()).isEqualTo(404);
        assertThat(get("api/ledger/transfers/none-" + run).statusCode()).isEqualTo(404);
    }

    @Test
    void aBatchDecidesEachTransferOnItsOwnInTheOrderGiven() throws Exception {
        var issuer = "bi-" + run;
        var alice = "ba-" + run;
        var bob = "bb-" + run;
        accounts(issuer, alice, bob);
        assertThat(Api.transfer(base, "{\"from\":\"" + issuer + "\",\"to\":\"" + alice + "\",\"amount\":50}").statusCode()).isEqualTo(201);
        var batch = "{\"atomic\":false,\"transfers\":["
                + "{\"id\":\"b1-" + run + "\",\"from\":\"" + alice + "\",\"to\":\"" + bob + "\",\"amount\":30},"
                + "{\"id\":\"b2-" + run + "\",\"from\":\"" + alice + "\",\"to\":\"" + bob + "\",\"amount\":30},"
                + "{\"id\":\"b3-" + run + "\",\"from\":\"" + alice + "\",\"to\":\"" + bob + "\",\"amount\":20},"
                + "{\"id\":\"b4-" + run + "\",\"from\":\"" + alice + "\",\"to\":\"nobody-" + run + "\",\"amount\":1}]}";
        var answered = Api.postAsAdmin(base, "api/ledger/transfers/batch", batch);
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        var outcomes = Api.json(answered.body()).getJsonArray("transfers").getValuesAs(JsonObject.class);
        assertThat(outcomes).extracting(o -> o.getString("id")).containsExactly("b1-" + run, "b2-" + run, "b3-" + run, "b4-" + run);
        assertThat(outcomes).extracting(o -> o.getString("status")).containsExactly("successful", "rejected", "successful", "refused");
        assertThat(outcomes.get(1).getString("reason")).isEqualTo("insufficient funds");
        assertThat(outcomes.get(3).getJsonObject("problem").getInt("status")).isEqualTo(400);
        assertThat(Api.json(get("api/ledger/accounts/" + bob).body()).getJsonNumber("balance").longValue()).isEqualTo(50);
        var resent = Api.postAsAdmin(base, "api/ledger/transfers/batch", batch);
        assertThat(Api.json(resent.body()).getJsonArray("transfers").getValuesAs(JsonObject.class).subList(0, 3))
                .as("resent whole: the same outcomes").isEqualTo(outcomes.subList(0, 3));

        var oneMalformed = "{\"atomic\":false,\"transfers\":[{\"id\":\"m1-" + run + "\",\"from\":\"" + issuer + "\",\"to\":\"" + bob
                + "\",\"amount\":1},{\"from\":\"" + issuer + "\",\"to\":\"" + bob + "\",\"amount\":-1}]}";
        var refused = Api.postAsAdmin(base, "api/ledger/transfers/batch", oneMalformed);
        Api.assertProblem(refused, 400);
        assertThat(Api.json(refused.body()).getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("transfers[1].amount");
        assertThat(get("api/ledger/transfers/m1-" + run).statusCode()).as("nothing stored").isEqualTo(404);
        Api.assertProblem(Api.postAsAdmin(base, "api/ledger/transfers/batch", oneMalformed.replace("\"atomic\":false", "\"atomic\":true")), 400);
        assertThat(get("api/ledger/transfers/m1-" + run).statusCode()).as("nothing stored, atomic either").isEqualTo(404);
        var check = Api.json(get("api/ledger/check").body());
        assertThat(check.getBoolean("ok")).as(check.toString()).isTrue();
    }

    @Test
    void anAtomicBatchMovesAllOrNothingAndNamesTheTransferThatFailed() throws Exception {
        var issuer = "ai-" + run;
        var alice = "aa-" + run;
        var bob = "ab-" + run;
        accounts(issuer, alice, bob);
        assertThat(Api.transfer(base, "{\"from\":\"" + issuer + "\",\"to\":\"" + alice + "\",\"amount\":50}").statusCode()).isEqualTo(201);
        var whole = atomic("w", alice, bob, 30, bob, alice, 10);
        var answered = Api.postAsAdmin(base, "api/ledger/transfers/batch", whole);
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(201);
        var outcomes = Api.json(answered.body()).getJsonArray("transfers").getValuesAs(JsonObject.class);
        assertThat(outcomes).extracting(o -> o.getString("status")).containsExactly("successful", "successful");
        assertThat(outcomes.get(1).getJsonObject("atomicBatch").getString("first")).isEqualTo("w1-" + run);
        assertThat(Api.postAsAdmin(base, "api/ledger/transfers/batch", whole).body()).as("resent whole: the same answer").isEqualTo(answered.body());

        var failing = atomic("f", bob, alice, 5, alice, bob, 36); // alice has 35 after the first: the second fails
        var rejected = Api.postAsAdmin(base, "api/ledger/transfers/batch", failing);
        Api.assertProblem(rejected, 422);
        var problem = Api.json(rejected.body());
        assertThat(problem.getString("detail")).contains("f2-" + run + ": insufficient funds");
        assertThat(problem.getJsonArray("transfers").getValuesAs(JsonObject.class)).extracting(o -> o.getString("status") + " " + o.getString("reason"))
                .containsExactly("rejected linked transfer rejected", "rejected insufficient funds");
        assertThat(Api.json(get("api/ledger/accounts/" + bob).body()).getJsonNumber("balance").longValue()).as("nothing moved").isEqualTo(20);
        assertThat(Api.json(get("api/ledger/transfers/f1-" + run).body()).getString("status")).isEqualTo("rejected");

        var reused = Api.postAsAdmin(base, "api/ledger/transfers/batch", atomic("x", bob, alice, 1, bob, alice, 10).replace("x2-" + run, "w2-" + run));
        Api.assertProblem(reused, 409);
        assertThat(Api.json(reused.body()).getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("transfers[1].atomic");
        var unknown = Api.postAsAdmin(base, "api/ledger/transfers/batch", atomic("u", bob, alice, 1, alice, "nobody-" + run, 1));
        Api.assertProblem(unknown, 400);
        assertThat(Api.json(unknown.body()).getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("transfers[1].to");
        assertThat(get("api/ledger/transfers/x1-" + run).statusCode()).as("nothing stored").isEqualTo(404);
        assertThat(get("api/ledger/transfers/u1-" + run).statusCode()).as("nothing stored").isEqualTo(404);
        var check = Api.json(get("api/ledger/check").body());
        assertThat(check.getBoolean("ok")).as(check.toString()).isTrue();
    }

    /** An atomic batch of two transfers, {@code <prefix>1-<run>} and {@code <prefix>2-<run>}. */
    private String atomic(String prefix, String from1, String to1, long amount1, String from2, String to2, long amount2) {
        return "{\"atomic\":true,\"transfers\":["
                + "{\"id\":\"" + prefix + "1-" + run + "\",\"from\":\"" + from1 + "\",\"to\":\"" + to1 + "\",\"amount\":" + amount1 + "},"
                + "{\"id\":\"" + prefix + "2-" + run + "\",\"from\":\"" + from2 + "\",\"to\":\"" + to2 + "\",\"amount\":" + amount2 + "}]}";
    }

    @Test
    void aTwoPhaseTransferIsReservedThenPostedOnceWhileItsHoldCountsAgainstTheSender() throws Exception {
        var issuer = "ti-" + run;
        var alice = "ta-" + run;
        var bob = "tb-" + run;
        accounts(issuer, alice, bob);
        Api.transfer(base, "{\"from\":\"" + issuer + "\",\"to\":\"" + alice + "\",\"amount\":100}");
        var reserve = "{\"id\":\"hold-" + run + "\",\"from\":\"" + alice + "\",\"to\":\"" + bob + "\",\"amount\":80,\"twoPhase\":true,\"timeoutSeconds\":600}";
        var reserved = Api.transfer(base, reserve);
        assertThat(reserved.statusCode()).as(reserved.body()).isEqualTo(201);
        var held = Api.json(reserved.body());
        assertThat(held.getString("status")).isEqualTo("reserved");
        assertThat(held.getBoolean("twoPhase")).isTrue();
        assertThat(held.getInt("timeoutSeconds")).isEqualTo(600);
        assertThat(held.getString("expiresAt")).isNotBlank();
        var account = Api.json(get("api/ledger/accounts/" + alice).body());
        assertThat(account.getJsonNumber("balance").longValue()).isEqualTo(100);
        assertThat(account.getJsonNumber("reserved").longValue()).isEqualTo(80);
        assertThat(account.getJsonNumber("available").longValue()).isEqualTo(20);
        assertThat(Api.transfer(base, "{\"from\":\"" + alice + "\",\"to\":\"" + bob + "\",\"amount\":21}").statusCode())
                .as("beyond what is available").isEqualTo(422);
        assertThat(Api.jsonArray(get("api/ledger/reservations").body()).getValuesAs(JsonObject.class))
                .extracting(o -> o.getString("id")).contains("hold-" + run);
        Api.assertProblem(Api.postAsAdmin(base, "api/ledger/transfers/hold-" + run + "/post", "{\"amount\":81}"), 400);

        var post = Api.postAsAdmin(base, "api/ledger/transfers/hold-" + run + "/post", "{\"amount\":50}");
        assertThat(post.statusCode()).as(post.body()).isEqualTo(201);
        var posted = Api.json(post.body());
        assertThat(posted.getString("status")).isEqualTo("posted");
        assertThat(posted.getJsonNumber("postedAmount").longValue()).isEqualTo(50);
        assertThat(Api.json(Api.postAsAdmin(base, "api/ledger/transfers/hold-" + run + "/post", "{\"amount\":50}").body()))
                .as("the same post again").isEqualTo(posted);
        assertThat(Api.json(get("api/ledger/transfers/hold-" + run).body())).isEqualTo(posted);
        var voided = Api.postAsAdmin(base, "api/ledger/transfers/hold-" + run + "/void", "");
        Api.assertProblem(voided, 409);
        assertThat(Api.json(voided.body()).getString("transferStatus")).as("the final status").isEqualTo("posted");
        account = Api.json(get("api/ledger/accounts/" + alice).body());
        assertThat(account.getJsonNumber("balance").longValue()).isEqualTo(50);
        assertThat(account.getJsonNumber("reserved").longValue()).isZero();
        assertThat(Api.json(get("api/ledger/accounts/" + bob).body()).getJsonNumber("balance").longValue()).isEqualTo(50);

        var second = Api.transfer(base, reserve.replace("hold-", "hold2-").replace("80", "30"));
        assertThat(second.statusCode()).isEqualTo(201);
        var void2 = Api.postAsAdmin(base, "api/ledger/transfers/hold2-" + run + "/void", "{}");
        assertThat(void2.statusCode()).as(void2.body()).isEqualTo(200);
        assertThat(Api.json(void2.body()).getString("status")).isEqualTo("voided");
        Api.assertProblem(Api.postAsAdmin(base, "api/ledger/transfers/hold2-" + run + "/post", ""), 409);
        Api.assertProblem(Api.postAsAdmin(base, "api/ledger/transfers/nothing-" + run + "/post", ""), 404);
        for (var bad : List.of(reserve.replace("600", "0"), reserve.replace("600", "86401"), reserve.replace("600", "\"x\""),
                reserve.replace("\"twoPhase\":true", "\"twoPhase\":\"yes\""), reserve.replace("\"twoPhase\":true,", ""))) {
            var refused = Api.transfer(base, bad.replace("hold-", "hold3-"));
            assertThat(refused.statusCode()).as(bad).isEqualTo(400);
            Api.assertProblem(refused, 400);
        }
        assertThat(get("api/ledger/transfers/hold3-" + run).statusCode()).as("nothing stored").isEqualTo(404);
        var check = Api.json(get("api/ledger/check").body());
        assertThat(check.getBoolean("ok")).as(check.toString()).isTrue();
    }

    @Test
    void badRequestsAreRefusedWithProblemJsonAndStoreNothing() throws Exception {
        var a = "a-" + run;
        var b = "b-" + run;
        Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"" + a + "\"}");
        Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"" + b + "\"}");
        var id = "\"id\":\"bad-" + run + "\",";
        // a valid transfer from a to b, but for what follows its amount
        var aToB = "{" + id + "\"from\":\"" + a + "\",\"to\":\"" + b + "\",\"amount\":";
        var bodies = List.of("{", "[]", "\"x\"", "{}", "{" + id + "\"from\":1,\"to\":\"" + b + "\",\"amount\":1}",
                aToB + "1.5}", aToB + "\"10\"}", aToB + "0}", aToB + "-5}", aToB + "1e30}", aToB + "99999999999999999999}",
                // past 2^53 - 1, the last whole number CouchDB's views keep exact: 2^53, 2^53 + 1, 2^63 - 1
                aToB + "9007199254740992}", aToB + "9007199254740993}", aToB + "9223372036854775807}",
                aToB + "1} junk", aToB + "1,\"amount\":2}",
                "{" + id + "\"from\":\"" + a + "\",\"to\":\"" + a + "\",\"amount\":1}",
                "{" + id + "\"from\":\"nobody-" + run + "\",\"to\":\"" + b + "\",\"amount\":1}",
                "{\"id\":\"has space\",\"from\":\"" + a + "\",\"to\":\"" + b + "\",\"amount\":1}",
                "{\"id\":\"" + "x".repeat(65) + "\",\"from\":\"" + a + "\",\"to\":\"" + b + "\",\"amount\":1}",
                aToB + "1,\"pad\":\"" + "p".repeat(5000) + "\"}");
        for (var body : bodies) {
            var response = Api.transfer(base, body);
            assertThat(response.statusCode()).as(body.length() > 80 ? body.substring(0, 80) : body).isEqualTo(400);
            Api.assertProblem(response, 400);
        }
        assertThat(get("api/ledger/transfers/bad-" + run).statusCode()).as("nothing stored").isEqualTo(404);
        for (var body : List.of("{\"id\":\"has space\"}", "{\"id\":\"ok-" + run + "\",\"allowNegative\":\"yes\"}", "{}")) {
            Api.assertProblem(Api.postAsAdmin(base, "api/ledger/accounts", body), 400);
        }
        assertThat(get("api/ledger/accounts/ok-" + run).statusCode()).isEqualTo(404);
        var anonymous = Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve("api/ledger/transfers")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        Api.assertProblem(get("api/ledger/accounts/" + a + "/transfers?limit=0"), 400);
        // a node without switchboard.ledger.relay-url and -secret takes no relayed transfer
        var relayed = Deployed.HTTP.send(HttpRequest.newBuilder(base.resolve("api/ledger/relay")).header("Content-Type", "application/json")
                .header("Authorization", "Bearer anything").POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"relayed-" + run + "\",\"from\":\""
                        + a + "\",\"to\":\"" + b + "\",\"amount\":1,\"timestamp\":1,\"waitMillis\":1000}")).build(),
                HttpResponse.BodyHandlers.ofString());
        Api.assertProblem(relayed, 404);
        assertThat(get("api/ledger/transfers/relayed-" + run).statusCode()).as("nothing stored").isEqualTo(404);
    }

    /** An issuer (it may go negative) and two accounts that may not. */
    private void accounts(String issuer, String... others) throws Exception {
        Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"" + issuer + "\",\"allowNegative\":true}");
        for (var account : others) {
            Api.postAsAdmin(base, "api/ledger/accounts", "{\"id\":\"" + account + "\"}");
        }
    }

    private HttpResponse<String> get(String path) {
        return Deployed.get(base.resolve(path), "Authorization", Deployed.basic("admin", Deployed.adminPassword()));
    }
}
