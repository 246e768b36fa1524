package org.switchboard.jobs.entity;

/** A handler's progress report, fired as a CDI event: the web module posts it to the notice board {@code job-{id}}. */
public record JobProgress(String jobId, String queue, String type, int percent, String message) {
}
