package org.switchboard.ui.jobs;

import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.switchboard.jobs.boundary.InvalidJobRequestException;
import org.switchboard.jobs.boundary.JobQueues;
import org.switchboard.jobs.boundary.JobRequest;
import org.switchboard.jobs.entity.Enqueued;
import org.switchboard.jobs.entity.Job;
import org.switchboard.jobs.entity.ListedJob;
import org.switchboard.ui.api.ApiApplication;
import org.switchboard.ui.api.Inputs;
import org.switchboard.ui.api.OpenStreams;
import org.switchboard.ui.api.Problem;
import org.switchboard.ui.api.PublicUrl;

/** Job queues over HTTP (admin): enqueue, look up, cancel; the queues, workers, scheduled and dead jobs, cron schedules. */
@Path("jobs")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("admin")
@SecurityRequirement(name = ApiApplication.BASIC)
public class JobsResource {

    /** The payload's 512 KiB, escaped, plus the other fields. */
    static final int MAX_BODY_BYTES = 3 * JobQueues.MAX_PAYLOAD_BYTES;
    private static final JsonProvider JSON = JsonProvider.provider();

    @Context
    HttpServletRequest http;

    @Inject
    PublicUrl urls;

    @Inject
    JobQueues jobs;

    @Inject
    JobEvents events;

    @Inject
    OpenStreams streams;


    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Enqueue {\"queue\",\"type\",\"payload\",\"delaySeconds\"?,\"runAt\"?,\"maxAttempts\"?,\"timeoutSeconds\"?,\"uniqueKey\"?}; "
            + "with \"children\":[{job},...] (nested up to 5 levels, at most 1,000 jobs in all) a flow: the children are enqueued at once, "
            + "the parent waits (waiting-children) and runs once every child succeeded, seeing their results; a child that dies fails it "
            + "unless \"continueOnChildFailure\": true")
    public Response enqueue(@RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "JobRequest"))) InputStream body) {
        var enqueued = jobs.enqueue(request(readObject(body), "", 0));
        var location = URI.create(urls.of(http.getContextPath(), "/api/jobs/" + enqueued.id()));
        return (enqueued.created() ? Response.created(location) : Response.ok().location(location)).entity(json(enqueued)).build();
    }

    /** An enqueue's answer: the job's id and state, and its children's in a flow. */
    private static JsonObject json(Enqueued enqueued) {
        var o = JSON.createObjectBuilder().add("id", enqueued.id()).add("state", enqueued.state().wire());
        if (!enqueued.children().isEmpty()) {
            var children = JSON.createArrayBuilder();
            enqueued.children().forEach(child -> children.add(json(child)));
            o.add("children", children);
        }
        return o.build();
    }

    /**
     * A job as the body gives it, with its children; a field at fault in a child is named by its path
     * ({@code children[1].type}). Deeper than a flow may go, the children are not read: the check of
     * the flow refuses it.
     */
    private static JobRequest request(JsonObject o, String path, int depth) {
        try {
            var request = request(o);
            if (!o.containsKey("children") && !o.containsKey("continueOnChildFailure")) {
                return request;
            }
            if (!(o.get("children") instanceof JsonArray items) || items.isEmpty()) {
                throw new InvalidJobRequestException("children", "'children' is a non-empty array of jobs");
            }
            if (o.containsKey("continueOnChildFailure") && !(o.get("continueOnChildFailure") instanceof JsonValue v
                    && (v == JsonValue.TRUE || v == JsonValue.FALSE))) {
                throw new InvalidJobRequestException("continueOnChildFailure", "'continueOnChildFailure' must be true or false");
            }
            var children = new ArrayList<JobRequest>();
            for (int i = 0; i < items.size() && depth <= JobQueues.MAX_FLOW_DEPTH; i++) {
                if (!(items.get(i) instanceof JsonObject child)) {
                    throw new InvalidJobRequestException("children[" + i + "]", "each child is a JSON object");
                }
                children.add(request(child, "children[" + i + "].", depth + 1));
            }
            if (depth > JobQueues.MAX_FLOW_DEPTH) {
                throw new InvalidJobRequestException("children", "children nest at most " + JobQueues.MAX_FLOW_DEPTH + " levels deep");
            }
            return request.withChildren(children, o.get("continueOnChildFailure") == JsonValue.TRUE);
        } catch (InvalidJobRequestException e) {
            throw path.isEmpty() ? e : new InvalidJobRequestException(path + e.field(), e.getMessage());
        }
    }

    private static JobRequest request(JsonObject o) {
        var delay = Duration.ZERO;
        if (o.containsKey("delaySeconds") && o.containsKey("runAt")) {
            throw new InvalidJobRequestException("runAt", "give 'delaySeconds' or 'runAt', not both");
        }
        if (o.containsKey("delaySeconds")) {
            delay = Duration.ofSeconds(longField(o, "delaySeconds"));
        } else if (o.containsKey("runAt")) {
            try {
                delay = Duration.between(Instant.now(), Instant.parse(stringField(o, "runAt")));
            } catch (DateTimeParseException e) {
                throw new InvalidJobRequestException("runAt", "runAt is an ISO-8601 instant, e.g. 2030-01-01T00:00:00Z");
            }
            delay = delay.isNegative() ? Duration.ZERO : delay;
        }
        var payload = o.get("payload");
        return new JobRequest(stringOrNull(o, "queue"), stringOrNull(o, "type"), payload == null ? null : payload.toString(),
                delay, intOrNull(o, "maxAttempts"), intOrNull(o, "timeoutSeconds"), stringOrNull(o, "uniqueKey"));
    }

    @GET
    @Path("events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Server-sent events of a queue's jobs (?queue=, given again for several), on every node: enqueued (with state), "
            + "started (attempt), progress, succeeded, failed (attempt, error), retrying, dead, cancelled, queued (a flow's parent whose "
            + "children are done). Each event's id resumes with Last-Event-ID: one queue's place, or for several every queue's "
            + "(<queue>=<place>;...). A 'gap' event says some were trimmed meanwhile (a queue keeps about its last 10,000 entries, a "
            + "fetched or acknowledged batch each, and none older than an hour)")
    public void events(@Parameter(required = true, schema = @Schema(type = SchemaType.STRING, pattern = "^[A-Za-z0-9._-]{1,64}$")) @QueryParam("queue") List<String> queues,
                       @Parameter(schema = @Schema(type = SchemaType.STRING, pattern = "^[A-Za-z0-9._=;:-]{1,4096}$"))
                       @HeaderParam(HttpHeaders.LAST_EVENT_ID_HEADER) String lastEventId,
                       @Context SseEventSink sink, @Context Sse sse, @Context HttpServletRequest request) {
        var distinct = queues == null ? List.<String>of() : queues.stream().distinct().toList();
        if (distinct.isEmpty() || distinct.size() > 50) {
            throw new InvalidJobRequestException("queue", "name 1 to 50 queues, each with 'queue='");
        }
        var places = JobEvents.places(distinct, lastEventId);
        var permit = streams.open(request).orElseThrow(streams::refused);
        try {
            events.stream(distinct, places, sink, sse, permit);
        } catch (RuntimeException e) {
            permit.close();
            throw e;
        }
    }

    @GET
    @Path("{id}")
    @Operation(summary = "A job: state, attempts, progress, result, error and times; in a flow its parent's id and its children with their states")
    public Response get(@PathParam("id") String id) {
        return jobs.find(id).map(job -> Response.ok(withFlow(job)).build())
                .orElseGet(() -> Problem.of(Response.Status.NOT_FOUND, "No job " + id + " (or its result has expired).").toResponse().build());
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Cancel a job: a queued or scheduled one is removed, a running one is interrupted (within a second)")
    public Response cancel(@PathParam("id") String id) {
        return jobs.cancel(id).map(before -> Response.ok(JSON.createObjectBuilder().add("id", id).add("was", before.wire()).build()).build())
                .orElseGet(() -> Problem.of(Response.Status.NOT_FOUND, "No job " + id + ".").toResponse().build());
    }

    @POST
    @Path("queues/{queue}/pause")
    @Operation(summary = "Pause a queue on every node: its jobs stay queued, enqueueing goes on")
    public JsonObject pause(@PathParam("queue") String queue) {
        jobs.pause(queue);
        return JSON.createObjectBuilder().add("queue", queue).add("paused", jobs.isPaused(queue)).build();
    }

    @POST
    @Path("queues/{queue}/resume")
    @Operation(summary = "Resume a paused queue")
    public JsonObject resume(@PathParam("queue") String queue) {
        jobs.resume(queue);
        return JSON.createObjectBuilder().add("queue", queue).add("paused", jobs.isPaused(queue)).build();
    }

    @GET
    @Path("queues")
    @Operation(summary = "Per queue: size, latency (age of its oldest job, seconds), paused, running, the most that may run at once "
            + "over every node (maxRunning; null: no limit), the most that may start within a window over every node (rate, e.g. 100/1s; "
            + "null: no limit), scheduled, retrying, dead, waitingChildren (parents of flows waiting for their children)")
    public JsonObject queues() {
        var list = JSON.createArrayBuilder();
        for (var q : jobs.queues()) {
            var o = JSON.createObjectBuilder().add("queue", q.queue()).add("size", q.size());
            if (q.latency() == null) {
                o.add("latency", 0);
            } else {
                o.add("latency", q.latency().toMillis() / 1000.0);
            }
            var limit = jobs.maxRunning().get(q.queue());
            if (limit == null) {
                o.addNull("maxRunning");
            } else {
                o.add("maxRunning", limit);
            }
            var rate = jobs.rates().get(q.queue());
            if (rate == null) {
                o.addNull("rate");
            } else {
                o.add("rate", rate.toString());
            }
            list.add(o.add("paused", q.paused()).add("running", q.running()).add("scheduled", q.scheduled())
                    .add("retrying", q.retrying()).add("dead", q.dead()).add("waitingChildren", q.waitingChildren()));
        }
        return JSON.createObjectBuilder().add("queues", list).build();
    }

    @GET
    @Path("stats")
    @Operation(summary = "Totals since the beginning (processed, failed), live workers and busy ones, the scheduled and dead set sizes")
    public JsonObject stats() {
        var totals = jobs.totals();
        var workers = jobs.workers();
        return JSON.createObjectBuilder().add("processed", totals.processed()).add("failed", totals.failed())
                .add("workers", workers.size()).add("busy", workers.stream().mapToInt(w -> w.jobs().size()).sum())
                .add("scheduled", jobs.scheduledCount()).add("dead", jobs.deadCount())
                .add("time", Instant.now().toString()).build();
    }

    @GET
    @Path("workers")
    @Operation(summary = "The live workers of every node with the jobs they run now")
    public JsonObject workers() {
        var list = JSON.createArrayBuilder();
        for (var w : jobs.workers()) {
            var running = JSON.createArrayBuilder();
            w.jobs().forEach(job -> running.add(json(job)));
            list.add(JSON.createObjectBuilder().add("worker", w.name()).add("heartbeatDeadline", w.heartbeatDeadline().toString())
                    .add("jobs", running));
        }
        return JSON.createObjectBuilder().add("workers", list).build();
    }

    @GET
    @Path("scheduled")
    @Operation(summary = "Scheduled and retrying jobs, the soonest first: ?offset&limit (at most 500)")
    public JsonObject scheduled(@Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "0")) @QueryParam("offset") String offset, @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1")) @QueryParam("limit") String limit) {
        return listed(jobs::scheduledCount, jobs::scheduled, offset, limit, "runAt");
    }

    @POST
    @Path("scheduled/{id}/run")
    @Operation(summary = "Run a scheduled or retrying job now")
    public Response runNow(@PathParam("id") String id) {
        return queuedAgain(jobs.runNow(id), id, "No scheduled or retrying job " + id + ".");
    }

    @GET
    @Path("dead")
    @Operation(summary = "Dead jobs, the last to die first: ?offset&limit (at most 500)")
    public JsonObject dead(@Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "0")) @QueryParam("offset") String offset, @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1")) @QueryParam("limit") String limit) {
        return listed(jobs::deadCount, jobs::dead, offset, limit, "diedAt");
    }

    @POST
    @Path("dead/{id}/retry")
    @Operation(summary = "Put a dead job back in its queue, with all its attempts again")
    public Response retryDead(@PathParam("id") String id) {
        return queuedAgain(jobs.retryDead(id), id, "No dead job " + id + ".");
    }

    @DELETE
    @Path("dead/{id}")
    @Operation(summary = "Delete a dead job")
    public Response deleteDead(@PathParam("id") String id) {
        return jobs.deleteDead(id) ? Response.noContent().build()
                : Problem.of(Response.Status.NOT_FOUND, "No dead job " + id + ".").toResponse().build();
    }

    @GET
    @Path("cron")
    @Operation(summary = "The cron schedules (switchboard.jobs.cron.<name>) and their next tick")
    public JsonObject cron() {
        var list = JSON.createArrayBuilder();
        var now = ZonedDateTime.now();
        for (var c : jobs.cron()) {
            var next = c.next(now);
            var o = JSON.createObjectBuilder().add("name", c.name()).add("expression", c.expression()).add("zone", c.zone().getId())
                    .add("queue", c.queue()).add("type", c.type()).add("payload", parsed(c.payload()));
            if (next == null) {
                o.addNull("next");
            } else {
                o.add("next", next.toInstant().toString());
            }
            list.add(o);
        }
        return JSON.createObjectBuilder().add("schedules", list).build();
    }

    private static int page(String field, String text, int fallback, int max) {
        if (text == null) {
            return fallback;
        }
        var n = Inputs.wholeNumber(field, text, InvalidJobRequestException::new);
        if (n > max || (field.equals("limit") && n < 1)) {
            throw new InvalidJobRequestException(field, "'" + field + "' is " + (field.equals("limit") ? 1 : 0) + " to " + max);
        }
        return (int) n;
    }

    private static Response queuedAgain(boolean done, String id, String notFound) {
        return done ? Response.ok(JSON.createObjectBuilder().add("id", id).add("state", "queued").build()).build()
                : Problem.of(Response.Status.NOT_FOUND, notFound).toResponse().build();
    }

    /** A page of a waiting set: {@code ?offset} (0 to 1,000,000) and {@code ?limit} (1 to 500, 50 by default). */
    private static JsonObject listed(LongSupplier total,
                                     BiFunction<Integer, Integer, List<ListedJob>> pager,
                                     String offset, String limit, String at) {
        var from = page("offset", offset, 0, 1_000_000);
        var count = page("limit", limit, 50, 500);
        var list = JSON.createArrayBuilder();
        for (var j : pager.apply(from, count)) {
            var o = JSON.createObjectBuilder().add("id", j.id()).add("queue", j.queue()).add("type", j.type())
                    .add("state", j.state().wire()).add("attempts", j.attempts()).add("maxAttempts", j.maxAttempts())
                    .add(at, j.at().toString());
            addText(o, "error", j.error());
            addTime(o, "enqueuedAt", j.enqueuedAt());
            list.add(o);
        }
        return JSON.createObjectBuilder().add("total", total.getAsLong()).add("jobs", list).build();
    }

    /** A job with its place in a flow: {@code parent} (its id, or null) and {@code children} (each one's id, queue, type and state). */
    private JsonObject withFlow(Job job) {
        var children = JSON.createArrayBuilder();
        jobs.children(job).forEach(child -> children.add(JSON.createObjectBuilder().add("id", child.id()).add("queue", child.queue())
                .add("type", child.type()).add("state", child.state().wire()).add("children", child.children().size())));
        var o = JSON.createObjectBuilder(json(job));
        addText(o, "parent", job.parent());
        return o.add("children", children).build();
    }

    static JsonObject json(Job job) {
        var o = JSON.createObjectBuilder().add("id", job.id()).add("queue", job.queue()).add("type", job.type())
                .add("state", job.state().wire()).add("attempts", job.attempts()).add("maxAttempts", job.maxAttempts());
        o.add("progress", parsed(job.progress()));
        o.add("result", parsed(job.result()));
        addText(o, "error", job.error());
        addTime(o, "enqueuedAt", job.enqueuedAt());
        addTime(o, "startedAt", job.startedAt());
        addTime(o, "finishedAt", job.finishedAt());
        return o.build();
    }

    private static JsonValue parsed(String json) {
        if (json == null) {
            return JsonValue.NULL;
        }
        try (var reader = JSON.createReader(new StringReader(json))) {
            return reader.readValue();
        } catch (RuntimeException e) {
            return JSON.createValue(json);
        }
    }

    private static void addText(JsonObjectBuilder o, String name, String value) {
        if (value == null || value.isEmpty()) {
            o.addNull(name);
        } else {
            o.add(name, value);
        }
    }

    private static void addTime(JsonObjectBuilder o, String name, Instant value) {
        if (value == null) {
            o.addNull(name);
        } else {
            o.add(name, value.toString());
        }
    }

    private static JsonObject readObject(InputStream body) {
        var text = Inputs.utf8(body, MAX_BODY_BYTES, "payload", "body", "the request is larger than the payload limit allows (512 KiB)",
                InvalidJobRequestException::new);
        try {
            if (Inputs.strictJson(text) instanceof JsonObject object) {
                return object;
            }
        } catch (RuntimeException e) {
            throw new InvalidJobRequestException("payload", "the body is not valid JSON");
        }
        throw new InvalidJobRequestException("payload", "the body must be a JSON object");
    }

    private static String stringOrNull(JsonObject o, String name) {
        return o.containsKey(name) && o.get(name) != JsonValue.NULL ? stringField(o, name) : null;
    }

    private static String stringField(JsonObject o, String name) {
        if (o.get(name) instanceof JsonString s) {
            return s.getString();
        }
        throw new InvalidJobRequestException(name, "'" + name + "' must be a string");
    }

    private static Integer intOrNull(JsonObject o, String name) {
        return o.containsKey(name) && o.get(name) != JsonValue.NULL ? (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, longField(o, name))) : null;
    }

    private static long longField(JsonObject o, String name) {
        if (o.get(name) instanceof JsonNumber n && n.isIntegral()) {
            try {
                return n.longValueExact();
            } catch (ArithmeticException e) {
                throw new InvalidJobRequestException(name, "'" + name + "' is out of range");
            }
        }
        throw new InvalidJobRequestException(name, "'" + name + "' must be a whole number");
    }
}
