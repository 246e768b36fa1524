package org.switchboard.jobs.entity;

import java.util.Locale;

/**
 * The states of a job. The moves between them are made by the Lua scripts of the jobs module, one
 * script per move, which are the only rule; {@link #isFinal} is what a caller may rely on.
 */
public enum JobState {
    SCHEDULED, QUEUED, RUNNING, SUCCEEDED, RETRYING, DEAD, CANCELLED,
    /** A parent of a flow, until its children have all succeeded (or finished, if it runs on their failures). */
    WAITING_CHILDREN;

    /** Nothing moves a job out of this state (a dead job may still be retried by an operator). */
    public boolean isFinal() {
        return this == SUCCEEDED || this == CANCELLED;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static JobState ofWire(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
