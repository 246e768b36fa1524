package org.switchboard.noticeboard.boundary;

/** Redis, which holds the boards, cannot be reached: nothing was posted; the caller may try again. */
public class BoardsUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BoardsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
