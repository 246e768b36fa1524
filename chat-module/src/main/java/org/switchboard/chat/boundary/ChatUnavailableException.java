package org.switchboard.chat.boundary;

/**
 * Redis or the SQL database cannot be reached (down, restarting, failing over): nothing was stored
 * that was not also committed; the caller may try again.
 */
public class ChatUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ChatUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
