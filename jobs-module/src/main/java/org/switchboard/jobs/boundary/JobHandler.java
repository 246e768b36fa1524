package org.switchboard.jobs.boundary;

/**
 * Runs one type of job. Implement it in a CDI bean marked {@link JobType} with the type's name.
 * A handler may be run again for the same job (at-least-once: a worker killed mid-run, a timeout), so
 * it should be idempotent. It is interrupted when the job times out or is cancelled.
 */
@FunctionalInterface
public interface JobHandler {

    /** Runs the job; answers its result as JSON text (or null). Throwing counts as a failed attempt. */
    String handle(JobContext job) throws Exception;
}
