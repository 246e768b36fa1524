/**
 * Job queues on Redis: durable, at-least-once jobs with reliable fetch, retries with backoff,
 * timeouts, delayed jobs, results with a TTL, progress and dead-worker recovery.
 *
 * <p>Decisions so far, and why:
 * <ul>
 * <li>Every move of a job is one Lua script ({@code JobStore}), so a job is always in exactly one
 * place: its queue (a list), a worker's pending list, the scheduled set (delayed jobs and retries,
 * by due time), the dead set, or finished. Times come from Redis's {@code TIME}, so nodes with skewed
 * clocks agree on what is due. All keys carry the hash tag {@code {jobs}}: on a Redis Cluster they
 * share a slot, which the scripts need.</li>
 * <li>Reliable fetch is {@code LMOVE} from the queue into the worker's own pending list, as many jobs
 * as the worker has free slots in one call; acknowledging is {@code LREM} on that short list. A job
 * is never only in a worker's memory: if the worker dies (kill -9), its heartbeat expires and any
 * node's housekeeping puts its pending jobs back at the front of their queues. The job runs again
 * (at-least-once); a late acknowledgement from the dead worker is refused.</li>
 * <li>Each job runs on a virtual thread of its own and is interrupted at its timeout, which counts as
 * a failed attempt. Failed attempts wait an exponential backoff with jitter in the scheduled set;
 * after the last one the job is dead (kept for an operator to retry or delete).</li>
 * <li>Closing a node stops fetching, waits a grace period, interrupts what still runs and puts this
 * worker's pending jobs back in their queues, so an undeploy loses nothing and holds nothing.</li>
 * <li>Progress is stored on the job and fired as a {@code JobProgress} CDI event; the web module
 * posts it to the notice board {@code job-{id}}. This module does not depend on the notice boards.</li>
 * </ul>
 */
package org.switchboard.jobs;
