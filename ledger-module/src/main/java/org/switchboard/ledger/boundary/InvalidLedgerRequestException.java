package org.switchboard.ledger.boundary;

/** A request that breaks a ledger rule; {@code field} names the input at fault. Nothing was stored. */
public class InvalidLedgerRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidLedgerRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
