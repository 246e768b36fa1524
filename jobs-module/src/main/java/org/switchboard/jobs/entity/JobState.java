package org.switchboard.jobs.entity;

import java.util.EnumSet;
import java.util.Set;

/** The states of a job, and the moves allowed between them. */
public enum JobState {
    SCHEDULED, QUEUED, RUNNING, SUCCEEDED, RETRYING, DEAD, CANCELLED;

    /** The states this one may move to. */
    public Set<JobState> next() {
        return switch (this) {
            case SCHEDULED -> EnumSet.of(QUEUED, CANCELLED);
            case QUEUED -> EnumSet.of(RUNNING, CANCELLED);
            // back to QUEUED when its worker died or shut down before finishing it
            case RUNNING -> EnumSet.of(SUCCEEDED, RETRYING, DEAD, CANCELLED, QUEUED);
            case RETRYING -> EnumSet.of(QUEUED, CANCELLED);
            case DEAD -> EnumSet.of(QUEUED); // retried by an operator
            case SUCCEEDED, CANCELLED -> EnumSet.noneOf(JobState.class);
        };
    }

    public boolean isFinal() {
        return next().isEmpty();
    }

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static JobState ofWire(String text) {
        return valueOf(text.toUpperCase(java.util.Locale.ROOT));
    }
}
