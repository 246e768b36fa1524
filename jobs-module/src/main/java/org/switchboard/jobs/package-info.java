/**
 * Job queues on Redis: durable, at-least-once jobs with reliable fetch, retries with backoff,
 * timeouts, delayed jobs, results with a TTL, progress and dead-worker recovery.
 *
 * <p>Decisions, and why:
 * <ul>
 * <li>Every move of a job is one Lua script ({@code RedisJobStore}, its scripts in resources), so a job is always in exactly one
 * place: its queue (a list), a worker's pending list, the scheduled set (delayed jobs and retries,
 * by due time), the dead set, or finished. Times come from Redis's {@code TIME}, so nodes with skewed
 * clocks agree on what is due. Each queue's keys carry the queue's own hash tag ({@code {jobs:name}}):
 * on a Redis Cluster a queue lives in one slot, which its scripts need, and queues spread over the
 * masters, so a cluster adds capacity. A job's id does not name its queue: a look-up by id asks
 * every queue at once. The names of the queues are a set beside them, added to before a queue's
 * first job; the reaper, promoting, trimming and the dashboard go over that set.</li>
 * <li>The scripts are resources beside {@code RedisJobStore}, loaded once and run by {@code EVALSHA};
 * they get every key, or the prefix of a family of keys, from {@code JobKeys}, so no script spells a
 * key name and the key layout changes in one place.</li>
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
 * <li>A worker knows which jobs it holds. A job in its pending list that it does not run (a fetch
 * whose answer was lost while Redis restarted, an outcome it could not record) is found by the
 * housekeeping, twice 5 s apart so that a fetch on its way is never mistaken for one, and goes back
 * to its queue: no job stays "running" for ever behind a live heartbeat. A Redis restart test found
 * exactly that case.</li>
 * <li>The number of jobs per queue and state (running, scheduled, retrying, dead) is a hash the
 * scripts update in the same step that moves the job (one function, {@code setState}, used by every
 * script), so the dashboard's figures are exact, not a scan.</li>
 * <li>Cancelling a running job sets a flag; the node running it finds the flag within a tick (500 ms)
 * and interrupts the job, which ends cancelled and is not retried.</li>
 * <li>Cron schedules (Jakarta Concurrency's {@code CronTrigger} syntax) are fired by every node; the
 * job of a tick has an id derived from the schedule and the tick, and is enqueued under a unique key
 * that outlives the tick (twice the interval, 10 s to a day), so it is enqueued once however many
 * nodes fire it and however skewed their clocks are within that window. A tick missed while no node
 * ran is not made up.</li>
 * <li>Redis memory stays bounded: succeeded jobs expire with their result (24 h by default) and the
 * oldest beyond 100,000 are deleted; dead jobs are kept 180 days, at most 10,000 (Sidekiq's bounds);
 * a cancelled job expires like a result. The trimming deletes at most 2,000 jobs per tick.</li>
 * <li>Priority is per queue: each queue has its own slots on each node
 * ({@code switchboard.jobs.queues=critical:20,default:10,low:2}), so a backlog in one never delays
 * another.</li>
 * <li>Flows: a parent waits (state {@code waiting-children}) until its children have all succeeded,
 * then runs once, seeing their results. A child's outcome is given to its parent by a script on the
 * parent's queue ({@code deliver.lua}), which counts each child once: a field of the parent's hash
 * per child. The child's end and that delivery are two steps (on a Redis Cluster the two queues may
 * live on two masters), so the child's own script also puts it in its queue's undelivered set, and
 * any node's housekeeping delivers what its node did not (a node killed in between). Children are
 * enqueued before their parent, so a parent never waits for a child that is missing; an outcome
 * that comes before the parent is made waits on the parent's hash for it.</li>
 * <li>Job events: every script that moves a job appends to its queue's event stream in the same step
 * ({@code events.lua}), so the events are those of every node, in the order Redis saw them, and
 * none is told of a move that did not happen. A batch a worker fetches or acknowledges is one entry
 * naming its jobs: the processing path pays one command per batch (the job's own entry is per job
 * only when enqueued). A stream keeps about 10,000 entries and an hour; an event's id is its entry's
 * and its place in it, so a reader resumes after any event.</li>
 * <li>Progress is stored on the job and fired as a {@code JobProgress} CDI event; the web module
 * posts it to the notice board {@code job-{id}}. This module does not depend on the notice boards.</li>
 * </ul>
 *
 * <p>The boundary ({@code JobQueues} in the container, {@code StandaloneJobs} for tools) answers
 * entity types only; Redis out of reach is a {@code JobsUnavailableException}.
 */
package org.switchboard.jobs;
