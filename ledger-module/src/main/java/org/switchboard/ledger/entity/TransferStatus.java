package org.switchboard.ledger.entity;

/** A transfer is pending until a resolver decides it, once: successful or rejected. */
public enum TransferStatus {
    PENDING, SUCCESSFUL, REJECTED;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static TransferStatus ofWire(String text) {
        return valueOf(text.toUpperCase(java.util.Locale.ROOT));
    }
}
