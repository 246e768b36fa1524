package org.switchboard.ledger.boundary;

import org.switchboard.ledger.entity.Transfer;

/** The transfer was decided, and rejected (insufficient funds, for example): it stays in the log as rejected. */
public class TransferRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Transfer transfer;

    public TransferRejectedException(Transfer transfer) {
        super("Transfer " + transfer.id() + " was rejected: " + transfer.reason() + ".");
        this.transfer = transfer;
    }

    public Transfer transfer() {
        return transfer;
    }
}
