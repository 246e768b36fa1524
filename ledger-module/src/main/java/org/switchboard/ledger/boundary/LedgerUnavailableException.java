package org.switchboard.ledger.boundary;

/**
 * CouchDB cannot be reached (down, restarting, overloaded): a transfer may or may not have been
 * stored; sending it again under the same id is safe and answers its outcome.
 */
public class LedgerUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LedgerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
