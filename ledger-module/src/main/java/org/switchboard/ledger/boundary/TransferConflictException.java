package org.switchboard.ledger.boundary;

/** A transfer id used again with other fields: the first transfer stands; {@code field} names what differs. */
public class TransferConflictException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String field;

    public TransferConflictException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
