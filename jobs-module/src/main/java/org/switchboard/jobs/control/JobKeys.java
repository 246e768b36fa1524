package org.switchboard.jobs.control;

/**
 * The Redis names of the job queues. Each queue's keys carry the queue's own hash tag
 * ({@code {jobs:name}}), so that on a Redis Cluster a queue lives in one slot, where its Lua scripts
 * may touch any of its keys, and different queues spread over the masters. The few keys that span
 * the queues (the names of the queues, the workers' heartbeats) share the tag {@code {jobs}}.
 */
public record JobKeys(String prefix) {

    /** Every queue that ever had a job or was paused, by name. */
    public String queues() {
        return prefix + ":{jobs}:queues";
    }

    /** Workers by heartbeat deadline (ms). */
    public String workers() {
        return prefix + ":{jobs}:workers";
    }

    /** The keys of one queue. */
    public Queue of(String queue) {
        return new Queue(queue, prefix + ":{jobs:" + queue + "}:");
    }

    /** The keys of one queue, all in its slot. */
    public record Queue(String name, String base) {

        public String job(String id) {
            return base + "job:" + id;
        }

        /** The prefix of the queue's job hashes, for scripts that find a job by id. */
        public String jobPrefix() {
            return job("");
        }

        /** The jobs waiting to run, oldest at the right. */
        public String list() {
            return base + "queue";
        }

        /** What a worker runs now from this queue. */
        public String pending(String worker) {
            return base + "pending:" + worker;
        }

        public String unique(String key) {
            return base + "unique:" + key;
        }

        /** Delayed jobs and retries waiting for their time: id to due time (ms, Redis's clock). */
        public String scheduled() {
            return base + "scheduled";
        }

        public String dead() {
            return base + "dead";
        }

        /** Succeeded jobs by finish time, for trimming. */
        public String done() {
            return base + "done";
        }

        /** Set while the queue is paused. */
        public String paused() {
            return base + "paused";
        }

        /** Per state ({@code queue:state}), how many jobs are scheduled, running, retrying or dead. */
        public String counts() {
            return base + "counts";
        }

        public String stats() {
            return base + "stats";
        }

        /**
         * Jobs of flows that finished (succeeded, dead or cancelled) and whose parents may not have
         * their outcome yet, by finish time: each waits here until it is delivered (deliver.lua).
         */
        public String undelivered() {
            return base + "undelivered";
        }

        /** The queue's job events (a stream), for the live views: see events.lua. */
        public String events() {
            return base + "events";
        }

        /** The queue's recent starts (id and attempt, by start time in ms), for its rate limit. */
        public String starts() {
            return base + "starts";
        }
    }
}
