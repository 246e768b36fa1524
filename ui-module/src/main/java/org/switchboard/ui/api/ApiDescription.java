package org.switchboard.ui.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

/**
 * Completes the description at {@code /openapi} with the error answers, which every operation gives
 * in the same shape (RFC 9457 {@code application/problem+json}, see {@link Problem}): each
 * operation lists the statuses it can answer, each with an example. Which ones follows from what the
 * operation takes (parameters or a body: 400; a body: 413 and 415; a path parameter: 404), from its
 * login (401), and from the servers behind it (503, always); the few particular ones (409, 422, 429)
 * are listed here by operation. So are the success answers of the patterns' operations: their
 * status and the schema of their body, whose example is in {@code META-INF/openapi.yaml}.
 */
public class ApiDescription implements OASFilter {

    private record Status(String code, String name, String title, String detail) {
    }

    private static final List<Status> STATUSES = List.of(
            new Status("400", "BadRequest", "Bad Request", "limit must be a whole number, 0 or more"),
            new Status("401", "Unauthorized", "Unauthorized", "This call needs the admin login (HTTP Basic)."),
            new Status("404", "NotFound", "Not Found", "Board build-7 holds nothing: it was never posted to, or it was deleted or its lease ran out."),
            new Status("409", "Conflict", "Conflict", "transfer t-1001 exists with another 'amount'"),
            new Status("412", "PreconditionFailed", "Precondition Failed",
                    "Board build-7 is at revision 8 of epoch 3f9a1c0b2e4d; the post's condition does not hold, and nothing was posted."),
            new Status("413", "TooLarge", "Bad Request", "the body is larger than 64 KiB"),
            new Status("415", "UnsupportedMediaType", "Unsupported Media Type", "Send the body as application/json."),
            new Status("422", "Rejected", "Unprocessable Content", "Transfer t-1001 was rejected: insufficient funds."),
            new Status("429", "TooManyRequests", "Too Many Requests", "20 every 10 seconds from one client and author; try again later."),
            new Status("503", "Unavailable", "Service Unavailable", "Redis cannot be reached; try again shortly."));

    /** The particular statuses, by method and path. */
    private static final Map<String, List<String>> PARTICULAR = Map.of(
            "POST /api/ledger/transfers", List.of("409", "422"),
            "POST /api/ledger/transfers/batch", List.of("409"),
            "POST /api/ledger/transfers/{id}/post", List.of("409"),
            "POST /api/ledger/transfers/{id}/void", List.of("409"),
            "POST /api/ledger/accounts", List.of("409"),
            "POST /api/chat/rooms/{room}/messages", List.of("429"),
            "GET /api/chat/rooms/{room}/events", List.of("429"),
            "GET /api/boards/{board}/events", List.of("429"),
            "GET /api/boards/{board}", List.of("429"),
            "PUT /api/boards/{board}", List.of("412"));

    /** The 422 of an atomic batch: a problem with every transfer's outcome (its schema in META-INF/openapi.yaml). */
    private static final String ATOMIC_BATCH_REJECTED = "AtomicBatchRejected";

    /** What an operation answers when it succeeds: its status and the schema of its body (in META-INF/openapi.yaml). */
    private record Success(String code, String description, String schema) {
    }

    private static final Map<String, Success> SUCCESS = Map.ofEntries(
            Map.entry("GET /api/boards", new Success("200", "the boards", "BoardSummaries")),
            Map.entry("GET /api/boards/{board}", new Success("200", "the board; a long poll's answer also gives 'next'", "Board")),
            Map.entry("PUT /api/boards/{board}", new Success("200", "the board with its new revision", "Board")),
            Map.entry("GET /api/chat/rooms", new Success("200", "the rooms", "ChatRooms")),
            Map.entry("GET /api/chat/rooms/{room}/messages", new Success("200", "the messages, ascending", "ChatMessages")),
            Map.entry("POST /api/chat/rooms/{room}/messages", new Success("201", "the message as stored, with its number", "ChatMessage")),
            Map.entry("GET /api/chat/rooms/{room}/messages/{seq}", new Success("200", "the message", "ChatMessage")),
            Map.entry("GET /api/chat/rooms/{room}/presence", new Success("200", "who is in the room", "Presence")),
            Map.entry("POST /api/jobs", new Success("201", "enqueued (200: the live job of the same unique key)", "Enqueued")),
            Map.entry("GET /api/jobs/{id}", new Success("200", "the job", "Job")),
            Map.entry("GET /api/ledger/accounts", new Success("200", "the accounts", "Accounts")),
            Map.entry("POST /api/ledger/accounts", new Success("201", "created (200: it exists with the same rules)", "Account")),
            Map.entry("GET /api/ledger/accounts/{id}", new Success("200", "the account", "Account")),
            Map.entry("GET /api/ledger/accounts/{id}/transfers", new Success("200", "the statement, newest first", "Transfers")),
            Map.entry("POST /api/ledger/transfers", new Success("201", "decided successful (422: rejected)", "Transfer")),
            Map.entry("POST /api/ledger/transfers/batch", new Success("200", "not atomic: every transfer's outcome, in the order given", "TransferBatchOutcomes")),
            Map.entry("GET /api/ledger/transfers/{id}", new Success("200", "the transfer", "Transfer")),
            Map.entry("POST /api/ledger/transfers/{id}/post", new Success("201", "posted: the reservation with its postedAmount", "Transfer")),
            Map.entry("POST /api/ledger/transfers/{id}/void", new Success("200", "voided: the reservation", "Transfer")),
            Map.entry("GET /api/ledger/reservations", new Success("200", "the open reservations", "Transfers")),
            Map.entry("GET /api/ledger/check", new Success("200", "the check's report", "InvariantReport")),
            Map.entry("DELETE /api/jobs/{id}", new Success("200", "cancelled (a running job is interrupted)", "JobCancelled")),
            Map.entry("GET /api/jobs/queues", new Success("200", "every queue's figures", "Queues")),
            Map.entry("POST /api/jobs/queues/{queue}/pause", new Success("200", "paused", "QueuePaused")),
            Map.entry("POST /api/jobs/queues/{queue}/resume", new Success("200", "resumed", "QueuePaused")),
            Map.entry("GET /api/jobs/stats", new Success("200", "the totals", "JobStats")),
            Map.entry("GET /api/jobs/workers", new Success("200", "the live workers", "Workers")),
            Map.entry("GET /api/jobs/scheduled", new Success("200", "a page of scheduled and retrying jobs", "JobPage")),
            Map.entry("POST /api/jobs/scheduled/{id}/run", new Success("200", "queued now", "Enqueued")),
            Map.entry("GET /api/jobs/dead", new Success("200", "a page of dead jobs", "JobPage")),
            Map.entry("POST /api/jobs/dead/{id}/retry", new Success("200", "queued again", "Enqueued")),
            Map.entry("GET /api/jobs/cron", new Success("200", "the cron schedules", "CronSchedules")),
            Map.entry("GET /api/system", new Success("200", "the servers this node uses", "System")));

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        var components = openAPI.getComponents() == null ? OASFactory.createComponents() : openAPI.getComponents();
        openAPI.setComponents(components);
        components.addSchema("Problem", OASFactory.createSchema().type(Schema.SchemaType.OBJECT)
                .description("RFC 9457 problem details; 'errors' names each input at fault")
                .addRequired("type").addRequired("title").addRequired("status").addRequired("detail")
                .addProperty("type", OASFactory.createSchema().type(Schema.SchemaType.STRING))
                .addProperty("title", OASFactory.createSchema().type(Schema.SchemaType.STRING))
                .addProperty("status", OASFactory.createSchema().type(Schema.SchemaType.INTEGER).description("the HTTP status"))
                .addProperty("detail", OASFactory.createSchema().type(Schema.SchemaType.STRING))
                .addProperty("errors", OASFactory.createSchema().type(Schema.SchemaType.ARRAY)
                        .items(OASFactory.createSchema().type(Schema.SchemaType.OBJECT)
                                .addProperty("field", OASFactory.createSchema().type(Schema.SchemaType.STRING))
                                .addProperty("message", OASFactory.createSchema().type(Schema.SchemaType.STRING)))));
        for (var status : STATUSES) {
            var example = new LinkedHashMap<String, Object>();
            example.put("type", "about:blank");
            example.put("title", status.title());
            example.put("status", Integer.parseInt(status.code()));
            example.put("detail", status.detail());
            components.addResponse(status.name(), OASFactory.createAPIResponse().description(status.title())
                    .content(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE, OASFactory.createMediaType()
                            .schema(OASFactory.createSchema().ref("Problem")).example(example))));
        }
        var rejectedBatch = new LinkedHashMap<String, Object>();
        rejectedBatch.put("type", "about:blank");
        rejectedBatch.put("title", "Unprocessable Content");
        rejectedBatch.put("status", 422);
        rejectedBatch.put("detail", "The atomic batch was rejected, and nothing of it moved: transfer t-1002: insufficient funds.");
        rejectedBatch.put("transfers", List.of(
                Map.of("id", "t-1001", "status", "rejected", "reason", "linked transfer rejected", "seq", 41),
                Map.of("id", "t-1002", "status", "rejected", "reason", "insufficient funds", "seq", 42)));
        components.addResponse(ATOMIC_BATCH_REJECTED, OASFactory.createAPIResponse().description("every transfer of the atomic batch rejected, nothing moved")
                .content(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE, OASFactory.createMediaType()
                        .schema(OASFactory.createSchema().ref(ATOMIC_BATCH_REJECTED)).example(rejectedBatch))));
        if (openAPI.getPaths() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> item.getOperations().forEach((method, operation) ->
                describeErrors(method + " " + path, path.contains("{"), operation)));
    }

    private static APIResponse answer(String description, String mediaType, String schema) {
        return OASFactory.createAPIResponse().description(description).content(OASFactory.createContent().addMediaType(mediaType,
                OASFactory.createMediaType().schema(OASFactory.createSchema().ref(schema))));
    }

    private static void describeErrors(String key, boolean pathParameters, Operation operation) {
        var codes = new TreeSet<String>();
        var body = operation.getRequestBody() != null;
        if (body || (operation.getParameters() != null && !operation.getParameters().isEmpty()) || pathParameters) {
            codes.add("400");
        }
        if (body) {
            codes.add("413");
            codes.add("415");
        }
        if (pathParameters) {
            codes.add("404");
        }
        if (operation.getSecurity() != null && !operation.getSecurity().isEmpty()) {
            codes.add("401");
        }
        codes.add("503");
        codes.addAll(PARTICULAR.getOrDefault(key, List.of()));
        var responses = operation.getResponses() == null ? OASFactory.createAPIResponses() : operation.getResponses();
        operation.setResponses(responses);
        for (var status : STATUSES) {
            if (codes.contains(status.code()) && !responses.hasAPIResponse(status.code())) {
                responses.addAPIResponse(status.code(), OASFactory.createAPIResponse().ref(status.name()));
            }
        }
        if ("DELETE /api/jobs/dead/{id}".equals(key) || "DELETE /api/boards/{board}".equals(key)) {
            responses.removeAPIResponse("default");
            responses.addAPIResponse("204", OASFactory.createAPIResponse().description("deleted"));
        }
        var success = SUCCESS.get(key);
        if (success != null) {
            responses.removeAPIResponse("default");
            var answer = answer(success.description(), "application/json", success.schema());
            if (key.endsWith(" /api/boards/{board}")) {
                answer.addHeader("ETag", OASFactory.createHeader().description("the board's version, for If-Match and If-None-Match")
                        .schema(OASFactory.createSchema().type(Schema.SchemaType.STRING)));
            }
            responses.addAPIResponse(success.code(), answer);
        }
        if ("POST /api/ledger/transfers/batch".equals(key)) {
            responses.addAPIResponse("201", answer("atomic: every transfer successful", "application/json", "TransferBatchOutcomes"));
            responses.addAPIResponse("202", answer("atomic: not decided yet, stored whole and decided as one later; send it again for the outcome",
                    "application/json", "TransferBatchOutcomes"));
            responses.addAPIResponse("422", OASFactory.createAPIResponse().ref(ATOMIC_BATCH_REJECTED));
        }
        if ("GET /api/boards/{board}".equals(key)) {
            responses.addAPIResponse("304", OASFactory.createAPIResponse().description("not modified: still at the version If-None-Match named"));
        }
        var answered = responses.getAPIResponses().keySet().stream().anyMatch(code -> code.startsWith("2"));
        if (!answered && responses.hasAPIResponse("default")) {
            // an event stream: 200, its events described in its summary
            var stream = responses.getAPIResponse("default");
            responses.removeAPIResponse("default");
            responses.addAPIResponse("200", stream.description("the event stream"));
        }
    }
}
