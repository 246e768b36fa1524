package org.switchboard.jobs.boundary;

/** A job request that breaks the rules; nothing was enqueued. */
public class InvalidJobRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidJobRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
