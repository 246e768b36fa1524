package org.switchboard.noticeboard.boundary;

/** Redis, which holds the boards, cannot be reached: nothing was posted; the caller may try again. */
public class BoardsUnavailableException extends RuntimeException {

    public BoardsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
