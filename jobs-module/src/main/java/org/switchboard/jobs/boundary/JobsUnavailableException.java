package org.switchboard.jobs.boundary;

/** Redis cannot be reached (down, restarting, failing over): nothing was changed; try again shortly. */
public class JobsUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public JobsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
