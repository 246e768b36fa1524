package org.switchboard.jobs.boundary;

import java.util.Map;

/** What a handler knows of its job, and how it reports progress. */
public interface JobContext {

    String id();

    String queue();

    String type();

    /** The payload, JSON text as it was enqueued. */
    String payload();

    /** 1 on the first run, 2 on the first retry, and so on. */
    int attempt();

    /**
     * For a parent of a flow: what its children answered, by child id (each result JSON text as its
     * handler returned it). Every child is there when it runs, unless it runs on their failures.
     */
    Map<String, String> childResults();

    /** For a parent of a flow that runs on its children's failures: why each child that did not succeed failed, by child id. */
    Map<String, String> childFailures();

    /** Reports progress (0 to 100) with an optional message; shown live on the job's notice board. */
    void progress(int percent, String message);
}
