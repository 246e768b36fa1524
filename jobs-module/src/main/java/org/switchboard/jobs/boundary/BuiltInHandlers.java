package org.switchboard.jobs.boundary;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;

/**
 * The job types every node runs, for operators and tests: {@code noop}, {@code sleep} with
 * {@code {"ms": n, "steps": k}}, and {@code gather}, a flow's parent that answers its children's results.
 */
public final class BuiltInHandlers {

    private static final JsonProvider JSON = JsonProvider.provider();

    private BuiltInHandlers() {
    }

    @ApplicationScoped
    @JobType("noop")
    public static class Noop implements JobHandler {
        @Override
        public String handle(JobContext job) {
            return null;
        }
    }

    /** A flow's parent: answers its children's results by child id, and why each failed one failed (when it continues on failures). */
    @ApplicationScoped
    @JobType("gather")
    public static class Gather implements JobHandler {
        @Override
        public String handle(JobContext job) {
            var results = JSON.createObjectBuilder();
            job.childResults().forEach((id, result) -> {
                try (var reader = JSON.createReader(new StringReader(result))) {
                    results.add(id, reader.readValue());
                }
            });
            var failures = JSON.createObjectBuilder();
            job.childFailures().forEach(failures::add);
            return JSON.createObjectBuilder().add("results", results).add("failures", failures).build().toString();
        }
    }

    /** Sleeps {@code ms} milliseconds in {@code steps} steps (default 1), reporting progress after each. */
    @ApplicationScoped
    @JobType("sleep")
    public static class Sleep implements JobHandler {
        @Override
        public String handle(JobContext job) throws InterruptedException {
            long ms;
            int steps;
            try (var reader = JSON.createReader(new StringReader(job.payload()))) {
                var o = reader.readObject();
                ms = o.getJsonNumber("ms").longValueExact();
                steps = o.containsKey("steps") ? o.getInt("steps") : 1;
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("a sleep job takes {\"ms\": n, \"steps\": k}");
            }
            if (ms < 0 || steps < 1 || steps > 10_000) {
                throw new IllegalArgumentException("ms must be 0 or more and steps 1 to 10000");
            }
            for (int i = 1; i <= steps; i++) {
                Thread.sleep(ms / steps);
                job.progress(i * 100 / steps, "step " + i + " of " + steps);
            }
            return "{\"slept\":" + ms + "}";
        }
    }
}
