package org.switchboard.noticeboard.boundary;

import java.util.Optional;

/**
 * A conditional post whose condition did not hold when it reached Redis (another post came first,
 * or the board exists, or does not): nothing was posted. Carries the board's version as it was then,
 * empty if the board does not exist, so that the caller can read it again and decide.
 */
public class BoardConditionFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Optional<BoardPrecondition.Version> current;

    public BoardConditionFailedException(String message, Optional<BoardPrecondition.Version> current) {
        super(message);
        this.current = current;
    }

    /** The board's version when the post was refused; empty if it did not exist. */
    public Optional<BoardPrecondition.Version> current() {
        return current;
    }
}
