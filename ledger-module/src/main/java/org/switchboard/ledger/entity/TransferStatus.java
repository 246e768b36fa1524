package org.switchboard.ledger.entity;

import java.util.Locale;

/** A transfer is pending until a resolver decides it, once: successful or rejected. */
public enum TransferStatus {
    PENDING, SUCCESSFUL, REJECTED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TransferStatus ofWire(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
