package org.switchboard.chat.boundary;

/** A room name, author, text or cursor that breaks the rules; nothing was stored. */
public class InvalidChatRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidChatRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The input at fault: {@code room}, {@code author}, {@code text}, {@code after}, {@code before}, {@code limit}. */
    public String field() {
        return field;
    }
}
