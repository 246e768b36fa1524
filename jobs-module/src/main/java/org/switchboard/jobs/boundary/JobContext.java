package org.switchboard.jobs.boundary;

/** What a handler knows of its job, and how it reports progress. */
public interface JobContext {

    String id();

    String queue();

    String type();

    /** The payload, JSON text as it was enqueued. */
    String payload();

    /** 1 on the first run, 2 on the first retry, and so on. */
    int attempt();

    /** Reports progress (0 to 100) with an optional message; shown live on the job's notice board. */
    void progress(int percent, String message);
}
