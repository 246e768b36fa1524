package org.switchboard.ledger.boundary;

/** No transfer has this id: a reservation to post or void must exist. */
public class NoSuchTransferException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NoSuchTransferException(String id) {
        super("No transfer " + id + ".");
    }
}
