package org.switchboard.jobs.control;

/**
 * The Redis names of the job queues. All of them carry the hash tag {@code {jobs}}, so that on a
 * Redis Cluster they share one slot and every Lua script may touch any of them.
 */
public record JobKeys(String prefix) {

    public String base() {
        return prefix + ":{jobs}:";
    }

    public String job(String id) {
        return base() + "job:" + id;
    }

    public String queue(String queue) {
        return base() + "queue:" + queue;
    }

    public String pending(String worker) {
        return base() + "pending:" + worker;
    }

    public String unique(String key) {
        return base() + "unique:" + key;
    }

    /** Delayed jobs and retries waiting for their time: id to due time (ms, Redis's clock). */
    public String scheduled() {
        return base() + "scheduled";
    }

    public String dead() {
        return base() + "dead";
    }

    /** Succeeded jobs by finish time, for trimming. */
    public String done() {
        return base() + "done";
    }

    /** Workers by heartbeat deadline (ms). */
    public String workers() {
        return base() + "workers";
    }

    public String queues() {
        return base() + "queues";
    }

    public String paused() {
        return base() + "paused";
    }

    /** Per queue and state ({@code queue:state}), how many jobs are scheduled, running, retrying or dead. */
    public String counts() {
        return base() + "counts";
    }

    public String stats() {
        return base() + "stats";
    }
}
