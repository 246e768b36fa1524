/**
 * Job queues on Redis: reliable fetch into per-worker pending lists, retries with backoff, timeouts,
 * delayed and cron jobs, results with a TTL, progress and dead-worker recovery.
 *
 * <p>Progress reaches the notice boards through a CDI event, never through a direct dependency on
 * the notice-board module.
 */
package org.switchboard.jobs;
