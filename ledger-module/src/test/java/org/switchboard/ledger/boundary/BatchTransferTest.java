package org.switchboard.ledger.boundary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lightcouch.CouchDbClient;
import org.switchboard.ledger.boundary.Ledger.TransferRequest;
import org.switchboard.ledger.control.Couch;
import org.switchboard.ledger.control.LedgerEngine;
import org.switchboard.ledger.entity.Transfer;
import org.switchboard.ledger.entity.TransferStatus;

/** Batches of transfers, each decided on its own in the order given, against a real PouchDB Server. */
class BatchTransferTest {

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
    void eachTransferIsDecidedOnTheBalancesTheOnesBeforeItLeft() {
        ledger.transfer("mint", "issuer", "alice", 100);
        // alice has 100: the first three of 40 each leave 20 after two; the third is rejected, the
        // fourth (10) fits in what is left, and bob pays alice back what he got so far
        var outcomes = ledger.transferAll(List.of(
                new TransferRequest("b-1", "alice", "bob", 40),
                new TransferRequest("b-2", "alice", "bob", 40),
                new TransferRequest("b-3", "alice", "bob", 40),
                new TransferRequest("b-4", "alice", "bob", 10),
                new TransferRequest("b-5", "bob", "alice", 90)));
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

        var again = ledger.transferAll(List.of(
                new TransferRequest("b-1", "alice", "bob", 40),
                new TransferRequest("b-2", "alice", "bob", 40),
                new TransferRequest("b-3", "alice", "bob", 40),
                new TransferRequest("b-4", "alice", "bob", 10),
                new TransferRequest("b-5", "bob", "alice", 90)));
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
}
