package org.switchboard.jobs.entity;

import java.time.Duration;

/**
 * A queue's figures: its size, the age of its oldest job (null when empty), and its jobs in each state
 * that is not a list ({@code waitingChildren}: parents of flows waiting for their children).
 */
public record QueueStats(String queue, long size, Duration latency, boolean paused, long running, long scheduled,
                         long retrying, long dead, long waitingChildren) {
}
