package org.switchboard.ledger.entity;

import java.util.Locale;

/**
 * A transfer is pending until a resolver decides it, once: successful or rejected; a reservation
 * (two-phase) reserved or rejected; a reservation's settlement posted, voided or expired.
 */
public enum TransferStatus {
    PENDING, SUCCESSFUL, REJECTED, RESERVED, POSTED, VOIDED, EXPIRED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TransferStatus ofWire(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
