package org.switchboard.ledger.boundary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lightcouch.CouchDbClient;
import org.lightcouch.CouchDbException;
import org.switchboard.ledger.boundary.Ledger.TransferRequest;
import org.switchboard.ledger.control.Couch;
import org.switchboard.ledger.control.CouchLedgerStore;
import org.switchboard.ledger.control.LedgerEngine;
import org.switchboard.ledger.control.Resolver;
import org.switchboard.ledger.control.ResolverHooks;
import org.switchboard.ledger.entity.Account;
import org.switchboard.ledger.entity.Transfer;
import org.switchboard.ledger.entity.TransferStatus;

/** The ledger against a real PouchDB Server (the CouchDB API): transfers and batches of them, rules, idempotency, concurrency, the check. */
class LedgerTest {

    CouchDbClient db;
    Ledger ledger;

    @BeforeEach
    void open() {
        db = Couch.freshDatabase();
        ledger = new Ledger(LedgerEngine.on(() -> db, 100), Duration.ofSeconds(30));
        ledger.createAccount("issuer", true);
        ledger.createAccount("alice", false);
        ledger.createAccount("bob", false);
    }

    @AfterEach
    void drop() {
        Couch.drop(db);
    }

    @Test
    void transfersMoveMoneyAndTheBalancesAgreeWithTheLog() {
        var minted = ledger.transfer("mint-1", "issuer", "alice", 100);
        assertThat(minted.status()).isEqualTo(TransferStatus.SUCCESSFUL);
        assertThat(minted.seq()).isEqualTo(1);
        ledger.transfer(null, "alice", "bob", 30);
        assertThat(ledger.accounts()).extracting(Account::id, Account::balance).containsExactlyInAnyOrder(
                Tuple.tuple("issuer", -100L), Tuple.tuple("alice", 70L),
                Tuple.tuple("bob", 30L));
        assertThat(ledger.account("bob")).contains(new Account("bob", 30, 0, false));
        var report = ledger.check(Duration.ofMinutes(1));
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.decided()).isEqualTo(2);
        assertThat(ledger.statement("alice", Long.MAX_VALUE, 10)).extracting(Transfer::amount).containsExactly(30L, 100L);
    }

    @Test
    void amountsAndBalancesStayExactUpToTwoToTheFiftyThreeMinusOne() {
        var largest = (1L << 53) - 1;
        var exact = ledger.transfer("max", "issuer", "alice", largest);
        assertThat(exact.amount()).isEqualTo(largest);
        assertThat(ledger.find("max").orElseThrow().amount()).as("read back from CouchDB").isEqualTo(largest);
        assertThat(ledger.account("alice").orElseThrow().balance()).isEqualTo(largest);
        for (var tooLarge : List.of(1L << 53, (1L << 53) + 1, Long.MAX_VALUE)) {
            assertThatThrownBy(() -> ledger.transfer("big-" + tooLarge, "issuer", "bob", tooLarge))
                    .isInstanceOfSatisfying(InvalidLedgerRequestException.class, e -> assertThat(e.field()).isEqualTo("amount"));
            assertThat(ledger.find("big-" + tooLarge)).as("nothing stored").isEmpty();
        }
        // a balance pushed past 2^53 - 1 by one more transfer: refused, and the balances stay exact
        assertThatThrownBy(() -> ledger.transfer("past", "issuer", "alice", 1))
                .isInstanceOfSatisfying(TransferRejectedException.class, e -> assertThat(e.transfer().reason()).contains("2^53"));
        assertThat(ledger.account("alice").orElseThrow().balance()).isEqualTo(largest);
        var report = ledger.check(Duration.ofMinutes(1));
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.sumOfBalances()).isZero();
    }

    @Test
    void aTransferNamingAnUnknownAccountIsRefusedAndStoresNothingWhileOthersInItsBatchGoThrough() throws Exception {
        ledger.transfer("fund", "issuer", "alice", 50);
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(6)) {
            var fromGhost = pool.submit(() -> ledger.transfer("g1", "ghost", "bob", 1));
            var toGhost = pool.submit(() -> ledger.transfer("g2", "alice", "ghost", 1));
            var fine = new ArrayList<java.util.concurrent.Future<Transfer>>();
            for (int i = 0; i < 4; i++) {
                var id = "ok" + i;
                fine.add(pool.submit(() -> ledger.transfer(id, "alice", "bob", 2)));
            }
            assertThatThrownBy(fromGhost::get).cause()
                    .isInstanceOfSatisfying(InvalidLedgerRequestException.class, e -> assertThat(e.field()).isEqualTo("from"));
            assertThatThrownBy(toGhost::get).cause()
                    .isInstanceOfSatisfying(InvalidLedgerRequestException.class, e -> assertThat(e.field()).isEqualTo("to"));
            for (var f : fine) {
                assertThat(f.get().status()).isEqualTo(TransferStatus.SUCCESSFUL);
            }
        }
        assertThat(ledger.find("g1")).as("nothing stored").isEmpty();
        assertThat(ledger.find("g2")).as("nothing stored").isEmpty();
        assertThat(ledger.account("bob").orElseThrow().balance()).isEqualTo(8);
        var report = ledger.check(Duration.ofMinutes(1));
        assertThat(report.ok()).as(report.toString()).isTrue();
    }

    @Test
    void newIdsHaveNoColonSinceAPathWithOneCannotBeServed() {
        assertThatThrownBy(() -> ledger.createAccount("shop:1", false))
                .isInstanceOfSatisfying(InvalidLedgerRequestException.class, e -> assertThat(e.field()).isEqualTo("id"));
        assertThat(ledger.account("shop:1")).isEmpty();
        assertThatThrownBy(() -> ledger.transfer("order:1", "issuer", "alice", 1))
                .isInstanceOfSatisfying(InvalidLedgerRequestException.class, e -> assertThat(e.field()).isEqualTo("id"));
        assertThat(ledger.find("order:1")).isEmpty();
    }

    @Test
    void aBalanceBuiltUpByManyTransfersStopsAtTheLargestExactAmount() {
        var half = 1L << 52;
        ledger.transfer("h1", "issuer", "bob", half);
        ledger.transfer("h2", "issuer", "bob", half - 1);
        assertThatThrownBy(() -> ledger.transfer("h3", "issuer", "bob", 1)).isInstanceOf(TransferRejectedException.class);
        assertThat(ledger.account("bob").orElseThrow().balance()).isEqualTo((1L << 53) - 1);
        assertThat(ledger.account("issuer").orElseThrow().balance()).isEqualTo(-((1L << 53) - 1));
        assertThat(ledger.check(Duration.ofMinutes(1)).ok()).isTrue();
    }

    @Test
    void aTransferBeyondTheBalanceIsRejectedAndKeptAsRejected() {
        ledger.transfer("m", "issuer", "alice", 10);
        assertThatThrownBy(() -> ledger.transfer("big", "alice", "bob", 11))
                .isInstanceOfSatisfying(TransferRejectedException.class, e -> {
                    assertThat(e.transfer().reason()).isEqualTo("insufficient funds");
                    assertThat(e.transfer().status()).isEqualTo(TransferStatus.REJECTED);
                });
        assertThat(ledger.account("alice").orElseThrow().balance()).isEqualTo(10);
        ledger.transfer("m2", "issuer", "alice", 100);
        // the same id again, funds enough now: the first outcome stands
        assertThatThrownBy(() -> ledger.transfer("big", "alice", "bob", 11)).isInstanceOf(TransferRejectedException.class);
        assertThat(ledger.statement("alice", Long.MAX_VALUE, 10)).extracting(Transfer::id, Transfer::status).contains(
                Tuple.tuple("big", TransferStatus.REJECTED));
        assertThat(ledger.check(Duration.ofMinutes(1)).ok()).isTrue();
    }

    @Test
    void aRetriedIdAnswersTheFirstOutcomeAndOtherFieldsAreAConflict() {
        var first = ledger.transfer("pay-7", "issuer", "bob", 5);
        var again = ledger.transfer("pay-7", "issuer", "bob", 5);
        assertThat(again).isEqualTo(first);
        assertThat(ledger.account("bob").orElseThrow().balance()).as("moved once").isEqualTo(5);
        assertThatThrownBy(() -> ledger.transfer("pay-7", "issuer", "bob", 6))
                .isInstanceOfSatisfying(TransferConflictException.class, e -> assertThat(e.field()).isEqualTo("amount"));
        assertThatThrownBy(() -> ledger.transfer("pay-7", "issuer", "alice", 5))
                .isInstanceOfSatisfying(TransferConflictException.class, e -> assertThat(e.field()).isEqualTo("to"));
        assertThatThrownBy(() -> ledger.transfer("pay-7", "alice", "bob", 5))
                .isInstanceOfSatisfying(TransferConflictException.class, e -> assertThat(e.field()).isEqualTo("from"));
        assertThatThrownBy(() -> ledger.createAccount("alice", true))
                .isInstanceOfSatisfying(TransferConflictException.class, e -> assertThat(e.field()).isEqualTo("allowNegative"));
        assertThat(ledger.createAccount("alice", false).created()).isFalse();
    }

    @Test
    void badRequestsAreRefusedAndStoreNothing() {
        record Bad(String id, String from, String to, long amount, String field) {
        }
        for (var bad : List.of(new Bad("x1", "alice", "alice", 1, "to"), new Bad("x2", "alice", "bob", 0, "amount"),
                new Bad("x3", "alice", "bob", -5, "amount"), new Bad("x4", "nobody", "bob", 1, "from"),
                new Bad("x5", "alice", "nobody", 1, "to"), new Bad("bad id", "alice", "bob", 1, "id"),
                new Bad("x6", "al ice", "bob", 1, "from"), new Bad("x7", null, "bob", 1, "from"))) {
            assertThatThrownBy(() -> ledger.transfer(bad.id(), bad.from(), bad.to(), bad.amount())).as(bad.toString())
                    .isInstanceOfSatisfying(InvalidLedgerRequestException.class, e -> assertThat(e.field()).isEqualTo(bad.field()));
        }
        for (var id : List.of("x1", "x2", "x3", "x4", "x5", "x6", "x7")) {
            assertThat(ledger.find(id)).as(id).isEmpty();
        }
        assertThatThrownBy(() -> ledger.createAccount("no spaces", false)).isInstanceOf(InvalidLedgerRequestException.class);
        assertThat(ledger.check(Duration.ofMinutes(1)).decided()).isZero();
    }

    @Test
    void theDatabaseRefusesToChangeADecidedTransferOrToStoreOneDecidedWithoutAPlace() {
        ledger.transfer("t", "issuer", "alice", 10);
        var doc = db.find(JsonObject.class, "transfer:t");
        doc.addProperty("amount", 1_000_000);
        assertThatThrownBy(() -> db.update(doc)).isInstanceOf(CouchDbException.class).hasMessageContaining("never changes");
        var forged = new JsonObject();
        forged.addProperty("_id", "transfer:forged");
        forged.addProperty("type", "transfer");
        forged.addProperty("id", "forged");
        forged.addProperty("from", "issuer");
        forged.addProperty("to", "bob");
        forged.addProperty("amount", 5);
        forged.addProperty("timestamp", 1);
        forged.addProperty("status", "successful");
        assertThatThrownBy(() -> db.save(forged)).isInstanceOf(CouchDbException.class).hasMessageContaining("starts pending");
        assertThat(ledger.find("t").orElseThrow().amount()).isEqualTo(10);
        assertThat(ledger.check(Duration.ofMinutes(1)).ok()).isTrue();
        // the ledger itself stores a transfer decided at its place; one stored so behind its back
        // is taken by the database, and the check, which reads the log, reports it
        forged.addProperty("seq", 2);
        db.save(forged);
        var report = ledger.check(Duration.ofMinutes(1));
        assertThat(report.ok()).isFalse();
        assertThat(report.mismatches()).contains("bob: 0 at the head, 5 from the log");
        assertThat(report.placeProblems()).contains("2 decided transfers in the log, 1 at the head");
    }

    @Test
    void manyAccountsAreCreatedAtOnceAndAnExistingOneKeepsItsRules() {
        var ids = new ArrayList<String>();
        for (int i = 0; i < 2500; i++) {
            ids.add("bulk-" + i);
        }
        ids.add("alice"); // there already, with the same rule

        assertThat(ledger.createAccounts(ids, false)).isEqualTo(2500);

        assertThat(ledger.accounts()).hasSize(3 + 2500);
        assertThat(ledger.account("bulk-2499").orElseThrow().allowNegative()).isFalse();
        assertThat(ledger.createAccounts(List.of("bulk-0"), false)).isZero();
        assertThatThrownBy(() -> ledger.createAccounts(List.of("bulk-new", "issuer"), false))
                .isInstanceOf(TransferConflictException.class).hasMessageContaining("issuer");
        assertThat(ledger.account("bulk-new")).isPresent();
        assertThatThrownBy(() -> ledger.createAccounts(List.of("ok", "a:b"), false)).isInstanceOf(InvalidLedgerRequestException.class);
        assertThat(ledger.account("ok")).isEmpty();
    }

    @Test
    void aWriteTheDatabaseRefusesMakesTheLedgerUnavailableUntilItTakesIt() {
        // another design document whose validation refuses some writes, as a database's own rules or
        // a user without the right to write would
        var refuse = new JsonObject();
        refuse.addProperty("_id", "_design/refuse");
        refuse.addProperty("validate_doc_update", "function (doc) {"
                + " if (doc._id === 'transfer:refused' || doc._id === 'account:refused') { throw({forbidden: 'not here'}); }"
                + " if (doc._id === 'transfer:unauthorized') { throw({unauthorized: 'not you'}); } }");
        var saved = db.save(refuse);

        assertThatThrownBy(() -> ledger.createAccounts(List.of("fine", "refused"), false)).isInstanceOf(LedgerUnavailableException.class)
                .hasMessageContaining("refused");
        assertThatThrownBy(() -> ledger.createAccount("refused", false)).isInstanceOf(LedgerUnavailableException.class);
        assertThat(ledger.account("refused")).isEmpty();

        // a transfer's decision is committed before its document is written: one the database refuses
        // stops the ledger (503) until the database takes it, and is then written out as decided
        assertThatThrownBy(() -> ledger.transfer("refused", "issuer", "alice", 5)).isInstanceOf(LedgerUnavailableException.class)
                .hasMessageContaining("not here");
        assertThatThrownBy(() -> ledger.transfer("next", "issuer", "alice", 1)).isInstanceOf(LedgerUnavailableException.class)
                .hasMessageContaining("not here");
        assertThat(ledger.find("refused")).isEmpty();

        refuse.addProperty("_rev", saved.getRev());
        refuse.addProperty("validate_doc_update", "function (doc) {"
                + " if (doc._id === 'transfer:unauthorized') { throw({unauthorized: 'not you'}); } }");
        saved = db.update(refuse);
        assertThat(ledger.transfer("next", "issuer", "alice", 1).status()).isEqualTo(TransferStatus.SUCCESSFUL);
        assertThat(ledger.find("refused").orElseThrow().status()).isEqualTo(TransferStatus.SUCCESSFUL);

        assertThatThrownBy(() -> ledger.transfer("unauthorized", "issuer", "alice", 7)).isInstanceOf(LedgerUnavailableException.class)
                .hasMessageContaining("not you");
        assertThat(ledger.find("unauthorized")).isEmpty();
        refuse.addProperty("_rev", saved.getRev());
        db.remove(refuse);

        var report = ledger.check(Duration.ofMinutes(1));
        assertThat(report.ok()).isTrue();
        assertThat(report.balances()).containsEntry("alice", 5L + 1 + 7);
    }

    @Test
    void unguardedTheDatabaseTakesAChangedTransferAndTheCheckReportsIt() {
        new CouchLedgerStore(db).install(false); // switchboard.ledger.guard-writes=false
        ledger.transfer("t", "issuer", "alice", 10);
        var doc = db.find(JsonObject.class, "transfer:t");
        doc.addProperty("amount", 1_000_000);
        db.update(doc);

        var report = ledger.check(Duration.ofMinutes(1));

        assertThat(report.ok()).isFalse();
        assertThat(report.mismatches()).anySatisfy(m -> assertThat(m).startsWith("alice: 10 at the head, 1000000 from the log"));
        new CouchLedgerStore(db).install(true);
        var again = db.find(JsonObject.class, "transfer:t");
        again.addProperty("amount", 10);
        assertThatThrownBy(() -> db.update(again)).as("guarded again").isInstanceOf(CouchDbException.class).hasMessageContaining("never changes");
    }

    @Test
    void aPendingTransferWhoseCallerLeftIsDecidedByTheSweep() {
        new CouchLedgerStore(db).insert("orphan", "issuer", "bob", 7, Instant.now().minusSeconds(120));
        var stale = ledger.check(Duration.ofSeconds(60));
        assertThat(stale.ok()).as("the check decides what is pending first").isTrue();
        new CouchLedgerStore(db).insert("orphan-2", "issuer", "bob", 3, Instant.now());
        assertThat(ledger.sweep()).isEqualTo(1);
        assertThat(ledger.find("orphan-2").orElseThrow().status()).isEqualTo(TransferStatus.SUCCESSFUL);
        assertThat(ledger.account("bob").orElseThrow().balance()).isEqualTo(10);
    }

    @Test
    void concurrentClientsOnTwoNodesNeverMakeOrLoseMoney() throws Exception {
        var accounts = List.of("a1", "a2", "a3", "a4", "a5", "a6", "a7");
        accounts.forEach(a -> ledger.createAccount(a, false));
        accounts.forEach(a -> ledger.transfer("seed-" + a, "issuer", a, 100));
        var nodes = List.of(ledger, new Ledger(LedgerEngine.on(() -> db, 100), Duration.ofSeconds(60)));
        var outcomes = new ConcurrentHashMap<String, String>();
        var disagreements = new AtomicInteger();
        try (var clients = Executors.newFixedThreadPool(6)) {
            var futures = new ArrayList<Future<?>>();
            for (int c = 0; c < 6; c++) {
                int client = c;
                futures.add(clients.submit(() -> {
                    var random = ThreadLocalRandom.current();
                    for (int i = 0; i < 60; i++) {
                        // one id in five is sent twice (a retry), to either node
                        var id = "c" + client + "-" + i;
                        var from = accounts.get(random.nextInt(accounts.size()));
                        var to = accounts.get(random.nextInt(accounts.size()));
                        if (from.equals(to)) {
                            continue;
                        }
                        long amount = 1 + random.nextInt(60);
                        for (int attempt = 0; attempt < (i % 5 == 0 ? 2 : 1); attempt++) {
                            var node = nodes.get(random.nextInt(nodes.size()));
                            String outcome;
                            try {
                                outcome = node.transfer(id, from, to, amount).status().wire();
                            } catch (TransferRejectedException e) {
                                outcome = "rejected";
                            }
                            var first = outcomes.putIfAbsent(id, outcome);
                            if (first != null && !first.equals(outcome)) {
                                disagreements.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (var f : futures) {
                f.get();
            }
        }
        var report = ledger.check(Duration.ofMinutes(1));
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.sumOfBalances()).isZero();
        assertThat(disagreements.get()).as("a retried id kept its first outcome").isZero();
        assertThat(report.decided()).isEqualTo(accounts.size() + outcomes.size());
        long total = accounts.stream().mapToLong(a -> ledger.account(a).orElseThrow().balance()).sum();
        assertThat(total).as("the money the issuer made, all still there").isEqualTo(700);
        assertThat(outcomes.values()).contains("successful");
        System.out.println("two nodes, 6 clients: " + outcomes.size() + " transfers, "
                + outcomes.values().stream().filter("rejected"::equals).count() + " rejected; check " + report.ok());
    }

    @Test
    void aResolverThatDiesAfterItsCommitIsFinishedByAnother() {
        var store = new CouchLedgerStore(db);
        store.insert("half", "issuer", "alice", 42, Instant.now());
        var dying = new Resolver(store, 100);
        ResolverHooks.afterCommit(dying, () -> {
            throw new IllegalStateException("killed between commit and write");
        });
        assertThatThrownBy(dying::resolveOnce).hasMessageContaining("killed");
        assertThat(store.find("half").orElseThrow().status()).as("committed at the head, not yet written").isEqualTo(TransferStatus.PENDING);
        assertThat(store.head().balances()).isEqualTo(Map.of("issuer", -42L, "alice", 42L));
        assertThat(ledger.sweep()).as("nothing new to decide").isZero();
        var half = store.find("half").orElseThrow();
        assertThat(half.status()).isEqualTo(TransferStatus.SUCCESSFUL);
        assertThat(half.seq()).isEqualTo(1);
        assertThat(ledger.check(Duration.ofMinutes(1)).ok()).isTrue();
    }

    // batches: each transfer decided on its own, in the order given

    @Test
    void eachTransferIsDecidedOnTheBalancesTheOnesBeforeItLeft() {
        ledger.transfer("mint", "issuer", "alice", 100);
        // alice has 100: the first three of 40 each leave 20 after two; the third is rejected, the
        // fourth (10) fits in what is left, and bob pays alice back what he got so far
        var batch = List.of(
                new TransferRequest("b-1", "alice", "bob", 40),
                new TransferRequest("b-2", "alice", "bob", 40),
                new TransferRequest("b-3", "alice", "bob", 40),
                new TransferRequest("b-4", "alice", "bob", 10),
                new TransferRequest("b-5", "bob", "alice", 90));
        var outcomes = ledger.transferAll(batch);
        assertThat(outcomes).allSatisfy(o -> assertThat(o.refused()).isNull());
        assertThat(outcomes).extracting(o -> o.transfer().id()).containsExactly("b-1", "b-2", "b-3", "b-4", "b-5");
        assertThat(outcomes).extracting(o -> o.transfer().status()).containsExactly(TransferStatus.SUCCESSFUL, TransferStatus.SUCCESSFUL,
                TransferStatus.REJECTED, TransferStatus.SUCCESSFUL, TransferStatus.SUCCESSFUL);
        assertThat(outcomes.get(2).transfer().reason()).isEqualTo("insufficient funds");
        var places = outcomes.stream().map(o -> o.transfer()).filter(t -> t.status() == TransferStatus.SUCCESSFUL).map(Transfer::seq).toList();
        assertThat(places).as("decided in the batch's order").isSorted().doesNotHaveDuplicates();
        assertThat(ledger.account("alice").orElseThrow().balance()).isEqualTo(100);
        assertThat(ledger.account("bob").orElseThrow().balance()).isZero();
        var report = ledger.check(Duration.ofMinutes(1));
        assertThat(report.ok()).as(report.toString()).isTrue();

        var again = ledger.transferAll(batch);
        assertThat(again).as("resent whole: the same outcomes").extracting(o -> o.transfer().seq())
                .containsExactlyElementsOf(outcomes.stream().map(o -> o.transfer().seq()).toList());
        assertThat(ledger.check(Duration.ofMinutes(1)).decided()).isEqualTo(6);
    }

    @Test
    void aThousandTransfersAreDecidedTogether() {
        ledger.transfer("mint", "issuer", "alice", 1000);
        var requests = new ArrayList<TransferRequest>();
        IntStream.range(0, Ledger.MAX_BATCH).forEach(i -> requests.add(new TransferRequest("k-" + i, "alice", "bob", i < 500 ? 2 : 1)));
        var outcomes = ledger.transferAll(requests);
        // 500 of 2 spend all 1000: the 500 of 1 after them are rejected
        assertThat(outcomes.subList(0, 500)).allSatisfy(o -> assertThat(o.transfer().status()).isEqualTo(TransferStatus.SUCCESSFUL));
        assertThat(outcomes.subList(500, 1000)).allSatisfy(o -> assertThat(o.transfer().status()).isEqualTo(TransferStatus.REJECTED));
        assertThat(ledger.account("bob").orElseThrow().balance()).isEqualTo(1000);
        assertThat(ledger.check(Duration.ofMinutes(1)).ok()).isTrue();
    }

    @Test
    void aReusedIdOrAnUnknownAccountIsRefusedOnItsOwn() {
        ledger.transfer("mint", "issuer", "alice", 100);
        ledger.transfer("old", "alice", "bob", 5);
        var outcomes = ledger.transferAll(List.of(
                new TransferRequest("old", "alice", "bob", 6),
                new TransferRequest("fresh", "alice", "bob", 7)));
        assertThat(outcomes.get(0).refused()).isInstanceOfSatisfying(TransferConflictException.class, e -> assertThat(e.field()).isEqualTo("amount"));
        assertThat(outcomes.get(1).transfer().status()).isEqualTo(TransferStatus.SUCCESSFUL);

        var unknown = ledger.transferAll(List.of(
                new TransferRequest("u-1", "alice", "nobody", 1),
                new TransferRequest("u-2", "alice", "bob", 1)));
        assertThat(unknown.get(0).refused()).isInstanceOf(InvalidLedgerRequestException.class);
        assertThat(ledger.find("u-1")).as("nothing stored for it").isEmpty();
        assertThat(unknown.get(1).transfer().status()).isEqualTo(TransferStatus.SUCCESSFUL);
        assertThat(ledger.account("bob").orElseThrow().balance()).isEqualTo(13);
    }

    @Test
    void aMalformedTransferOrAnIdGivenTwiceRefusesTheBatchWithNothingStored() {
        ledger.transfer("mint", "issuer", "alice", 100);
        assertThatThrownBy(() -> ledger.transferAll(List.of(
                new TransferRequest("m-1", "alice", "bob", 1),
                new TransferRequest("m-2", "alice", "bob", 0))))
                .isInstanceOfSatisfying(InvalidLedgerRequestException.class, e -> assertThat(e.field()).isEqualTo("transfers[1].amount"));
        assertThatThrownBy(() -> ledger.transferAll(List.of(
                new TransferRequest("m-1", "alice", "bob", 1),
                new TransferRequest("m-1", "alice", "bob", 1))))
                .isInstanceOfSatisfying(InvalidLedgerRequestException.class, e -> assertThat(e.field()).isEqualTo("transfers[1].id"));
        assertThatThrownBy(() -> ledger.transferAll(List.of())).isInstanceOf(InvalidLedgerRequestException.class);
        assertThatThrownBy(() -> ledger.transferAll(IntStream.range(0, Ledger.MAX_BATCH + 1)
                .mapToObj(i -> new TransferRequest("x-" + i, "alice", "bob", 1)).toList())).isInstanceOf(InvalidLedgerRequestException.class);
        assertThat(ledger.find("m-1")).isEmpty();
        assertThat(ledger.check(Duration.ofMinutes(1)).decided()).isEqualTo(1);
    }

    // atomic batches: every transfer of the batch, or none

    @Test
    void anAtomicBatchMovesAllItsTransfersOrNoneAndNamesTheOneThatFailed() {
        ledger.transfer("mint", "issuer", "alice", 100);
        // bob has nothing but what the first gives him: each transfer is decided on what the ones before it left
        var whole = ledger.transferAtomically(List.of(
                new TransferRequest("w-1", "alice", "bob", 100),
                new TransferRequest("w-2", "bob", "alice", 30),
                new TransferRequest("w-3", "bob", "alice", 70)));
        assertThat(whole).extracting(o -> o.transfer().status()).containsOnly(TransferStatus.SUCCESSFUL);
        assertThat(whole).extracting(o -> o.transfer().seq()).as("consecutive places, in the batch's order").containsExactly(2L, 3L, 4L);
        assertThat(ledger.account("alice").orElseThrow().balance()).isEqualTo(100);

        var failing = List.of(
                new TransferRequest("f-1", "alice", "bob", 60),
                new TransferRequest("f-2", "bob", "alice", 10),
                new TransferRequest("f-3", "alice", "bob", 51),
                new TransferRequest("f-4", "bob", "alice", 5));
        var none = ledger.transferAtomically(failing);
        assertThat(none).extracting(o -> o.transfer().status()).containsOnly(TransferStatus.REJECTED);
        assertThat(none).extracting(o -> o.transfer().reason()).as("alice has 50 when f-3 asks for 51")
                .containsExactly("linked transfer rejected", "linked transfer rejected", "insufficient funds", "linked transfer rejected");
        assertThat(ledger.accounts()).extracting(Account::id, Account::balance).containsExactlyInAnyOrder(
                Tuple.tuple("issuer", -100L), Tuple.tuple("alice", 100L), Tuple.tuple("bob", 0L));
        assertThat(ledger.find("f-1").orElseThrow().status()).as("kept as rejected").isEqualTo(TransferStatus.REJECTED);

        var again = ledger.transferAtomically(failing);
        assertThat(again).as("resent whole: the same outcomes").extracting(o -> o.transfer().seq())
                .containsExactlyElementsOf(none.stream().map(o -> o.transfer().seq()).toList());
        var report = ledger.check(Duration.ofMinutes(1));
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.decided()).as("mint, three successful, four rejected").isEqualTo(8);
    }

    @Test
    void anAtomicBatchReusingAnIdOrNamingAnUnknownAccountIsRefusedWithNothingStored() {
        ledger.transfer("mint", "issuer", "alice", 100);
        ledger.transfer("used", "alice", "bob", 5);
        assertThatThrownBy(() -> ledger.transferAtomically(List.of(
                new TransferRequest("c-1", "alice", "bob", 1),
                new TransferRequest("used", "alice", "bob", 5))))
                .isInstanceOfSatisfying(TransferConflictException.class, e -> assertThat(e.field()).isEqualTo("transfers[1].atomic"));
        assertThatThrownBy(() -> ledger.transferAtomically(List.of(
                new TransferRequest("c-1", "alice", "bob", 1),
                new TransferRequest("c-2", "alice", "nobody", 1))))
                .isInstanceOfSatisfying(InvalidLedgerRequestException.class, e -> assertThat(e.field()).isEqualTo("transfers[1].to"));
        assertThat(ledger.find("c-1")).isEmpty();

        ledger.transferAtomically(List.of(new TransferRequest("l-1", "alice", "bob", 1), new TransferRequest("l-2", "alice", "bob", 2)));
        assertThatThrownBy(() -> ledger.transfer("l-2", "alice", "bob", 2)).as("a transfer of a batch is not one made on its own")
                .isInstanceOfSatisfying(TransferConflictException.class, e -> assertThat(e.field()).isEqualTo("atomic"));
        assertThatThrownBy(() -> ledger.transferAtomically(List.of(new TransferRequest("l-2", "alice", "bob", 2))))
                .as("nor of another batch").isInstanceOf(TransferConflictException.class);
        assertThat(ledger.account("bob").orElseThrow().balance()).isEqualTo(8);
        assertThat(ledger.check(Duration.ofMinutes(1)).decided()).isEqualTo(4);
    }

    @Test
    void anAtomicBatchNotDecidedInTimeIsStoredWholeAndTheSweepDecidesItAsOne() {
        ledger.transfer("mint", "issuer", "alice", 100);
        var impatient = new Ledger(LedgerEngine.on(() -> db, 100), Duration.ZERO);
        var batch = List.of(
                new TransferRequest("p-1", "alice", "bob", 30),
                new TransferRequest("p-2", "bob", "alice", 10),
                new TransferRequest("p-3", "alice", "bob", 20));
        var outcomes = impatient.transferAtomically(batch);
        assertThat(outcomes).extracting(o -> o.transfer().status()).containsOnly(TransferStatus.PENDING);
        assertThat(ledger.find("p-1").orElseThrow().status()).isEqualTo(TransferStatus.PENDING);
        assertThat(ledger.find("p-2")).as("the batch is stored as one, in its first transfer").isEmpty();
        assertThat(new CouchLedgerStore(db).scanLog(100).pending()).extracting(Transfer::id).containsExactly("p-1");

        assertThat(ledger.sweep()).isEqualTo(3);
        var decided = ledger.transferAtomically(batch);
        assertThat(decided).extracting(o -> o.transfer().status()).containsOnly(TransferStatus.SUCCESSFUL);
        assertThat(decided).extracting(o -> o.transfer().seq()).containsExactly(2L, 3L, 4L);
        assertThat(ledger.account("bob").orElseThrow().balance()).isEqualTo(40);
        assertThat(ledger.check(Duration.ofMinutes(1)).ok()).isTrue();
    }

    @Test
    void aBatchWhoseIdIsTakenBeforeItIsDecidedIsRejectedAndTheOtherTransferStands() {
        ledger.transfer("mint", "issuer", "alice", 100);
        new Ledger(LedgerEngine.on(() -> db, 100), Duration.ZERO).transferAtomically(List.of(
                new TransferRequest("t-1", "alice", "bob", 30),
                new TransferRequest("t-2", "alice", "bob", 20)));
        // stored pending after the batch was: its own caller would have been refused, a stranger's write was not
        new CouchLedgerStore(db).insert("t-2", "alice", "bob", 25, Instant.now());
        ledger.sweep();
        assertThat(ledger.find("t-1").orElseThrow()).extracting(Transfer::status, Transfer::reason)
                .containsExactly(TransferStatus.REJECTED, "linked transfer rejected");
        assertThat(ledger.find("t-2").orElseThrow()).extracting(Transfer::amount, Transfer::status).containsExactly(25L, TransferStatus.SUCCESSFUL);
        assertThat(ledger.account("bob").orElseThrow().balance()).isEqualTo(25);
        var report = ledger.check(Duration.ofMinutes(1));
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.decided()).isEqualTo(3);
    }

    @Test
    void atomicBatchesSentToTwoNodesAtOnceAreDecidedOnceEachAndNeverInPart() throws Exception {
        ledger.transfer("mint", "issuer", "alice", 500);
        var nodes = List.of(ledger, new Ledger(LedgerEngine.on(() -> db, 100), Duration.ofSeconds(60)));
        // 40 batches of alice -> bob 30, bob -> alice 10: about 20 of them fit in what alice has; each
        // is sent to both nodes at once, and single transfers from alice race them
        var batches = IntStream.range(0, 40).mapToObj(i -> List.of(
                new TransferRequest("race-" + i + "-a", "alice", "bob", 30),
                new TransferRequest("race-" + i + "-b", "bob", "alice", 10))).toList();
        var answers = new ConcurrentHashMap<String, List<List<TransferStatus>>>();
        try (var clients = Executors.newFixedThreadPool(8)) {
            var futures = new ArrayList<Future<?>>();
            for (int i = 0; i < batches.size(); i++) {
                var batch = batches.get(i);
                for (var node : nodes) {
                    futures.add(clients.submit(() -> {
                        var statuses = node.transferAtomically(batch).stream().map(o -> o.transfer().status()).toList();
                        answers.computeIfAbsent(batch.getFirst().id(), k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(statuses);
                        return null;
                    }));
                }
                var single = "single-" + i;
                futures.add(clients.submit(() -> nodes.get(single.length() % 2).transfer(single, "alice", "issuer", 1)));
            }
            for (var f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).as("a single transfer may find alice spent").isInstanceOf(TransferRejectedException.class);
                }
            }
        }
        long whole = 0;
        for (var batch : batches) {
            var given = answers.get(batch.getFirst().id());
            assertThat(given).as("both callers answered the same").hasSize(2).containsOnly(given.getFirst());
            assertThat(given.getFirst()).as("all or none").hasSize(2).isIn(List.of(TransferStatus.SUCCESSFUL, TransferStatus.SUCCESSFUL),
                    List.of(TransferStatus.REJECTED, TransferStatus.REJECTED));
            whole += given.getFirst().getFirst() == TransferStatus.SUCCESSFUL ? 1 : 0;
        }
        assertThat(ledger.account("bob").orElseThrow().balance()).as("20 per batch that went through").isEqualTo(20 * whole);
        var report = ledger.check(Duration.ofMinutes(1));
        assertThat(report.ok()).as(report.toString()).isTrue();
        System.out.println("atomic batches on two nodes: " + whole + " of " + batches.size() + " went through whole, the others were rejected whole");
    }

    // two-phase transfers: reservations, and their one settlement each

    @Test
    void aReservationHoldsItsAmountAgainstWhatTheSenderMaySpendUntilAPostMovesPartOfIt() {
        ledger.transfer("mint", "issuer", "alice", 100);
        var reserved = ledger.reserve("r1", "alice", "bob", 60, 3600);
        assertThat(reserved.status()).isEqualTo(TransferStatus.RESERVED);
        assertThat(reserved.expiresAt()).isEqualTo(reserved.resolvedAt().plusSeconds(3600));
        assertThat(ledger.account("alice")).contains(new Account("alice", 100, 60, false));
        assertThat(ledger.account("alice").orElseThrow().available()).isEqualTo(40);
        assertThatThrownBy(() -> ledger.transfer("t-over", "alice", "bob", 50)).as("the hold counts against a transfer")
                .isInstanceOfSatisfying(TransferRejectedException.class, e -> assertThat(e.transfer().reason()).isEqualTo(Resolver.INSUFFICIENT_FUNDS));
        assertThatThrownBy(() -> ledger.reserve("r-over", "alice", "bob", 41, 60)).as("and against another reservation")
                .isInstanceOf(TransferRejectedException.class);
        assertThat(ledger.openReservations(10)).extracting(Transfer::id).containsExactly("r1");
        assertThat(ledger.check(Duration.ofMinutes(1)).reserved()).containsExactly(Map.entry("alice", 60L));

        var posted = ledger.post("r1", 45L);
        assertThat(posted.status()).isEqualTo(TransferStatus.POSTED);
        assertThat(posted.settlement().amount()).isEqualTo(45);
        assertThat(ledger.account("alice")).as("45 moved, the other 15 released").contains(new Account("alice", 55, 0, false));
        assertThat(ledger.account("bob")).contains(new Account("bob", 45, 0, false));
        assertThat(ledger.post("r1", 45L)).as("the same post again answers the same").isEqualTo(posted);
        assertThat(ledger.findReservation("r1")).contains(posted);
        assertThatThrownBy(() -> ledger.voidReservation("r1")).isInstanceOfSatisfying(ReservationSettledException.class,
                e -> assertThat(e.reservation().status()).isEqualTo(TransferStatus.POSTED));
        assertThatThrownBy(() -> ledger.post("r1", 10L)).as("a post of another amount").isInstanceOfSatisfying(ReservationSettledException.class,
                e -> assertThat(e.reservation().status()).isEqualTo(TransferStatus.POSTED));
        assertThat(ledger.openReservations(10)).isEmpty();
        var report = ledger.check(Duration.ofMinutes(1));
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.reserved()).isEmpty();
        assertThat(report.decided()).as("mint, r1, the two rejected, its post, and the void that came after it (rejected)").isEqualTo(6);
        assertThat(ledger.statement("bob", Long.MAX_VALUE, 10)).extracting(Transfer::id, Transfer::status).contains(
                Tuple.tuple("r1.post", TransferStatus.POSTED), Tuple.tuple("r1", TransferStatus.RESERVED));
    }

    @Test
    void aVoidReleasesAllOnceAndAPostAfterItIsRefusedWithTheVoid() {
        ledger.transfer("mint", "issuer", "alice", 100);
        ledger.reserve("r2", "alice", "bob", 70, 60);
        var voided = ledger.voidReservation("r2");
        assertThat(voided.status()).isEqualTo(TransferStatus.VOIDED);
        assertThat(ledger.voidReservation("r2")).as("again: the same").isEqualTo(voided);
        assertThatThrownBy(() -> ledger.post("r2", null)).isInstanceOfSatisfying(ReservationSettledException.class,
                e -> assertThat(e.reservation().status()).isEqualTo(TransferStatus.VOIDED));
        assertThat(ledger.account("alice")).contains(new Account("alice", 100, 0, false));
        assertThat(ledger.account("bob").orElseThrow().balance()).isZero();
        assertThat(ledger.transfer("after", "alice", "bob", 100).status()).as("all of it available again").isEqualTo(TransferStatus.SUCCESSFUL);
        assertThat(ledger.check(Duration.ofMinutes(1)).ok()).isTrue();
    }

    @Test
    void aReservationPastItsTimeoutExpiresOnceAndALatePostFindsItExpired() throws Exception {
        ledger.transfer("mint", "issuer", "alice", 100);
        ledger.reserve("late", "alice", "bob", 30, 1);
        ledger.reserve("swept", "alice", "bob", 20, 1);
        ledger.reserve("long", "alice", "bob", 10, 3600);
        Thread.sleep(1500);
        assertThatThrownBy(() -> ledger.post("late", null)).as("decided after its timeout: its expiry")
                .isInstanceOfSatisfying(ReservationSettledException.class, e -> {
                    assertThat(e.reservation().status()).isEqualTo(TransferStatus.EXPIRED);
                    assertThat(e.reservation().settlement().reason()).isEqualTo(Resolver.TIMED_OUT);
                });
        assertThat(ledger.sweep()).as("the sweep expires the one left").isEqualTo(1);
        assertThat(ledger.findReservation("swept").orElseThrow().status()).isEqualTo(TransferStatus.EXPIRED);
        assertThat(ledger.sweep()).as("once").isZero();
        assertThatThrownBy(() -> ledger.voidReservation("swept")).isInstanceOf(ReservationSettledException.class);
        assertThat(ledger.openReservations(10)).extracting(Transfer::id).containsExactly("long");
        assertThat(ledger.account("alice")).contains(new Account("alice", 100, 10, false));
        var report = ledger.check(Duration.ofMinutes(1));
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.reservedFromLog()).containsExactly(Map.entry("alice", 10L));
    }

    @Test
    void aPostOrAVoidOfWhatIsNotAnOpenReservationIsRefusedAndStoresNothing() {
        ledger.transfer("mint", "issuer", "alice", 100);
        ledger.reserve("r3", "alice", "bob", 50, 60);
        assertThatThrownBy(() -> ledger.post("nothing", null)).isInstanceOf(NoSuchTransferException.class);
        assertThatThrownBy(() -> ledger.post("mint", null)).as("not two-phase").isInstanceOf(ReservationSettledException.class);
        assertThatThrownBy(() -> ledger.post("r3", 51L)).isInstanceOfSatisfying(InvalidLedgerRequestException.class,
                e -> assertThat(e.field()).isEqualTo("amount"));
        assertThatThrownBy(() -> ledger.post("r3", 0L)).isInstanceOf(InvalidLedgerRequestException.class);
        assertThatThrownBy(() -> ledger.reserve("r4", "alice", "bob", 5, 0)).isInstanceOfSatisfying(InvalidLedgerRequestException.class,
                e -> assertThat(e.field()).isEqualTo("timeoutSeconds"));
        assertThatThrownBy(() -> ledger.reserve("r4", "alice", "bob", 5, 86_401)).isInstanceOf(InvalidLedgerRequestException.class);
        assertThatThrownBy(() -> ledger.reserve("r5", "alice", "bob", 101, 60)).as("more than available: rejected, as a transfer")
                .isInstanceOf(TransferRejectedException.class);
        assertThatThrownBy(() -> ledger.post("r5", null)).isInstanceOfSatisfying(ReservationSettledException.class,
                e -> assertThat(e.reservation().status()).isEqualTo(TransferStatus.REJECTED));
        assertThatThrownBy(() -> ledger.transfer("r3", "alice", "bob", 50)).as("its id, as a plain transfer").isInstanceOf(TransferConflictException.class);
        assertThat(ledger.find("r4")).isEmpty();
        assertThat(ledger.findReservation("r3").orElseThrow().status()).isEqualTo(TransferStatus.RESERVED);
        assertThat(ledger.account("alice")).contains(new Account("alice", 100, 50, false));
        assertThat(ledger.check(Duration.ofMinutes(1)).ok()).isTrue();
    }

    @Test
    void aSettlementWrittenBehindTheLedgersBackShowsInTheCheckAndTheGuardRefusesOneAwayFromItsId() {
        ledger.transfer("mint", "issuer", "alice", 100);
        ledger.reserve("held", "alice", "bob", 40, 600);
        new CouchLedgerStore(db).install(false);
        var forged = db.find(JsonObject.class, "transfer:held").deepCopy();
        forged.remove("_rev");
        forged.addProperty("_id", "transfer:held.void");
        forged.addProperty("id", "held.void");
        forged.addProperty("phase", "void");
        forged.addProperty("pendingId", "held");
        forged.addProperty("held", 40);
        forged.addProperty("expiresAt", 1);
        forged.addProperty("status", "voided");
        forged.addProperty("seq", 99);
        db.save(forged);

        var report = ledger.check(Duration.ofMinutes(1));

        assertThat(report.ok()).isFalse();
        assertThat(report.mismatches()).anySatisfy(m -> assertThat(m).isEqualTo("alice: 40 reserved at the head, 0 by the open reservations of the log"));
        new CouchLedgerStore(db).install(true);
        var astray = forged.deepCopy();
        astray.remove("_rev");
        astray.addProperty("_id", "transfer:other");
        astray.addProperty("id", "other");
        assertThatThrownBy(() -> db.save(astray)).as("a settlement under another id").isInstanceOf(CouchDbException.class)
                .hasMessageContaining("its reservation's id and its step");
    }

    @Test
    void postsAndVoidsRacingOnTwoNodesSettleEachReservationOnce() throws Exception {
        ledger.transfer("mint", "issuer", "alice", 10_000);
        var reservations = IntStream.range(0, 40).mapToObj(i -> "race-" + i).toList();
        reservations.forEach(id -> ledger.reserve(id, "alice", "bob", 100, 600));
        var nodes = List.of(ledger, new Ledger(LedgerEngine.on(() -> db, 100), Duration.ofSeconds(60)));
        var won = new ConcurrentHashMap<String, List<String>>();
        try (var clients = Executors.newFixedThreadPool(8)) {
            var futures = new ArrayList<Future<?>>();
            for (var id : reservations) {
                for (var step : List.of("post", "void", "post", "void")) {
                    futures.add(clients.submit(() -> {
                        var node = nodes.get(ThreadLocalRandom.current().nextInt(nodes.size()));
                        try {
                            var settled = step.equals("post") ? node.post(id, 60L) : node.voidReservation(id);
                            won.computeIfAbsent(id, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(settled.status().wire());
                        } catch (ReservationSettledException e) {
                            assertThat(e.reservation().status()).as("the step that came first").isNotEqualTo(TransferStatus.RESERVED);
                        }
                        return null;
                    }));
                }
            }
            for (var f : futures) {
                f.get();
            }
        }
        for (var id : reservations) {
            assertThat(won.get(id)).as(id + ": one step won, and its repeat answered the same").hasSize(2)
                    .containsOnly(ledger.findReservation(id).orElseThrow().status().wire());
        }
        long posts = reservations.stream().filter(id -> ledger.findReservation(id).orElseThrow().status() == TransferStatus.POSTED).count();
        assertThat(ledger.account("bob").orElseThrow().balance()).as("60 per post, once each").isEqualTo(60 * posts);
        assertThat(ledger.account("alice")).contains(new Account("alice", 10_000 - 60 * posts, 0, false));
        var report = ledger.check(Duration.ofMinutes(1));
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.decided()).as("mint, the reservations, a post and a void of each (one of them rejected)").isEqualTo(1 + 3L * reservations.size());
        System.out.println("two nodes racing: " + posts + " of " + reservations.size() + " reservations posted, the others voided");
    }
}
