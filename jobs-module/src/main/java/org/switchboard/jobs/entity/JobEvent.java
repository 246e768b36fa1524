package org.switchboard.jobs.entity;

import java.time.Instant;

/**
 * A moment in a job's life, from its queue's event stream: {@code enqueued} (with the state it
 * entered), {@code started} (with the attempt), {@code progress} (the JSON its handler reported),
 * {@code succeeded}, {@code failed} (with the attempt and the error), then {@code retrying} or
 * {@code dead}, {@code cancelled}; for a flow's parent, {@code queued} once its children are done,
 * or {@code dead} naming the child that failed.
 *
 * @param id    where it is in the stream, {@code <entry id>:<index in the entry>}: resume after it
 * @param at    when it happened, by Redis's clock
 * @param attempt for started and failed, else null
 * @param detail the error (failed, dead), the state (enqueued) or the progress JSON (progress), else null
 */
public record JobEvent(String id, String event, String job, String queue, Instant at, Integer attempt, String detail) {
}
