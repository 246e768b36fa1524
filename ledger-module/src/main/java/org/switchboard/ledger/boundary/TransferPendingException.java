package org.switchboard.ledger.boundary;

import org.switchboard.ledger.entity.Transfer;

/** The transfer is stored but not decided within the wait: it will be; ask again with the same id. */
public class TransferPendingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Transfer transfer;

    public TransferPendingException(Transfer transfer) {
        super("Transfer " + transfer.id() + " is stored and still pending; it will be decided. Send the same request again, or read it.");
        this.transfer = transfer;
    }

    public Transfer transfer() {
        return transfer;
    }
}
