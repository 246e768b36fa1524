package org.switchboard.noticeboard.boundary;

/** A board name, value or watch parameter that breaks the rules; nothing was stored. */
public class InvalidBoardRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidBoardRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The name of the input at fault: {@code board}, {@code value}, {@code after}, {@code wait}. */
    public String field() {
        return field;
    }
}
