package org.switchboard.jobs.entity;

import java.util.List;

/**
 * What an enqueue did: the job's id and state, and whether it is new (a unique key may answer an
 * existing job); for a parent of a flow, what its children's enqueues did, in the order given.
 */
public record Enqueued(String id, JobState state, boolean created, List<Enqueued> children) {

    public Enqueued(String id, JobState state, boolean created) {
        this(id, state, created, List.of());
    }
}
