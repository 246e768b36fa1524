package org.switchboard.ui.ledger;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.spi.JsonProvider;
import org.switchboard.ledger.boundary.Ledger;
import org.switchboard.ledger.entity.Account;
import org.switchboard.ledger.entity.Transfer;
import org.switchboard.ledger.entity.TransferStatus;

/** The JSON shapes of the ledger API. */
final class LedgerJson {

    static final JsonProvider JSON = JsonProvider.provider();

    private LedgerJson() {
    }

    static JsonObject of(Account a) {
        return JSON.createObjectBuilder().add("id", a.id()).add("balance", a.balance()).add("reserved", a.reserved())
                .add("available", a.available()).add("allowNegative", a.allowNegative()).build();
    }

    /**
     * A two-phase transfer as it stands: the reservation, with the status of its settlement once
     * settled ({@code posted} with {@code postedAmount}, {@code voided}, {@code expired}), when and at
     * which place it was settled.
     */
    static JsonObject of(Ledger.Reservation r) {
        var o = builder(r.reservation()).add("status", r.status().wire());
        var s = r.settlement();
        if (s != null) {
            if (s.status() == TransferStatus.POSTED) {
                o.add("postedAmount", s.amount());
            }
            if (s.reason() != null) {
                o.add("settledReason", s.reason());
            }
            o.add("settledSeq", s.seq()).add("settledAt", s.resolvedAt().toString());
        }
        return o.build();
    }

    static JsonObject of(Transfer t) {
        return builder(t).build();
    }

    static JsonObjectBuilder builder(Transfer t) {
        var o = JSON.createObjectBuilder().add("id", t.id()).add("from", t.from()).add("to", t.to()).add("amount", t.amount())
                .add("status", t.status().wire()).add("timestamp", t.timestamp().toString());
        if (t.reason() != null) {
            o.add("reason", t.reason());
        }
        if (t.seq() != null) {
            o.add("seq", t.seq());
        }
        if (t.resolvedAt() != null) {
            o.add("resolvedAt", t.resolvedAt().toString());
        }
        var phase = t.twoPhase();
        if (phase != null && phase.reserves()) {
            o.add("twoPhase", true).add("timeoutSeconds", phase.timeoutSeconds());
            if (t.expiresAt() != null) {
                o.add("expiresAt", t.expiresAt().toString());
            }
        } else if (phase != null) { // a settlement, as a statement lists it
            o.add("settles", phase.pendingId()).add("step", phase.step().wire());
        }
        if (t.link() != null) {
            o.add("atomicBatch", JSON.createObjectBuilder().add("first", t.link().group()).add("size", t.link().size()));
        }
        return o;
    }
}
