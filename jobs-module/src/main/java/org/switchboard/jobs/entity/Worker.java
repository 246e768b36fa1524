package org.switchboard.jobs.entity;

import java.time.Instant;
import java.util.List;

/** A live worker (its heartbeat not expired) with the jobs it holds now. */
public record Worker(String name, Instant heartbeatDeadline, List<Job> jobs) {
}
