package org.switchboard.ui.ledger;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.spi.JsonProvider;
import org.switchboard.ledger.entity.Account;
import org.switchboard.ledger.entity.Transfer;

/** The JSON shapes of the ledger API. */
final class LedgerJson {

    static final JsonProvider JSON = JsonProvider.provider();

    private LedgerJson() {
    }

    static JsonObject of(Account a) {
        return JSON.createObjectBuilder().add("id", a.id()).add("balance", a.balance()).add("allowNegative", a.allowNegative()).build();
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
        return o;
    }
}
