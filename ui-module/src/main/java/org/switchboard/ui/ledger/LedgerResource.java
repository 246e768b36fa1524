package org.switchboard.ui.ledger;

import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.net.URI;
import java.time.Duration;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.switchboard.ledger.boundary.InvalidLedgerRequestException;
import org.switchboard.ledger.boundary.Ledger;
import org.switchboard.ledger.boundary.TransferConflictException;
import org.switchboard.ledger.boundary.TransferOutcome;
import org.switchboard.ledger.entity.Link;
import org.switchboard.ledger.entity.TransferStatus;
import org.switchboard.ledger.entity.TwoPhase;
import org.switchboard.ui.api.ApiApplication;
import org.switchboard.ui.api.Inputs;
import org.switchboard.ui.api.Problem;
import org.switchboard.ui.api.PublicUrl;

/** The ledger over HTTP (admin): accounts, transfers that answer once decided, statements, the invariant check. */
@Path("ledger")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("admin")
@SecurityRequirement(name = ApiApplication.BASIC)
public class LedgerResource {

    private static final int MAX_BODY_BYTES = 4096;
    private static final int MAX_BATCH_BODY_BYTES = 256 * 1024;

    @Context
    HttpServletRequest request;

    @Inject
    PublicUrl urls;

    @Inject
    Ledger ledger;


    @POST
    @Path("accounts")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create an account {\"id\",\"allowNegative\"?}: 201, or 200 if it exists with the same rules, 409 with others")
    public Response createAccount(@RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "AccountRequest"))) InputStream body) {
        var o = readObject(body);
        var id = string(o, "id");
        var allowNegative = given(o, "allowNegative") && bool(o, "allowNegative");
        var created = ledger.createAccount(id, allowNegative);
        var location = URI.create(urls.of(request.getContextPath(), "/api/ledger/accounts/" + id));
        return (created.created() ? Response.created(location) : Response.ok().location(location)).entity(LedgerJson.of(created.account())).build();
    }

    @GET
    @Path("accounts")
    @Operation(summary = "The accounts with their balances (minor units)")
    public JsonArray accounts() {
        var array = LedgerJson.JSON.createArrayBuilder();
        ledger.accounts().forEach(a -> array.add(LedgerJson.of(a)));
        return array.build();
    }

    @GET
    @Path("accounts/{id}")
    @Operation(summary = "An account: {\"id\",\"balance\",\"allowNegative\"}")
    public Response account(@PathParam("id") String id) {
        return ledger.account(id).map(a -> Response.ok(LedgerJson.of(a)).build())
                .orElseGet(() -> Problem.of(Response.Status.NOT_FOUND, "No account " + id + ".").toResponse().build());
    }

    @GET
    @Path("accounts/{id}/transfers")
    @Operation(summary = "An account's statement, newest first: decided transfers before place 'before' (exclusive), at most 'limit' (500)")
    public Response statement(@PathParam("id") String id, @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1")) @QueryParam("before") String before,
                              @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1")) @QueryParam("limit") String limit) {
        if (ledger.account(id).isEmpty()) {
            return Problem.of(Response.Status.NOT_FOUND, "No account " + id + ".").toResponse().build();
        }
        var beforeSeq = before == null ? Long.MAX_VALUE : number("before", before);
        var array = LedgerJson.JSON.createArrayBuilder();
        ledger.statement(id, beforeSeq, limit(limit, 50)).forEach(t -> array.add(LedgerJson.of(t)));
        return Response.ok(array.build()).build();
    }

    @POST
    @Path("transfers")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Transfer {\"id\"?,\"from\",\"to\",\"amount\",\"twoPhase\"?,\"timeoutSeconds\"?}; answers once decided: 201 successful "
            + "(or reserved: a two-phase transfer holds the amount against the sender's available balance until posted, voided or timed out, "
            + "timeoutSeconds 1 to 86400, default 3600), 422 rejected, 409 id reused with other fields, 503 still pending")
    public Response transfer(@RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "TransferRequest"))) InputStream body) {
        var o = readObject(body);
        var asked = transferRequest(o);
        var twoPhase = given(o, "twoPhase") && bool(o, "twoPhase");
        if (!twoPhase && given(o, "timeoutSeconds")) {
            throw new InvalidLedgerRequestException("timeoutSeconds", "'timeoutSeconds' is for a two-phase transfer (\"twoPhase\": true)");
        }
        var transfer = twoPhase
                ? ledger.reserve(asked.id(), asked.from(), asked.to(), asked.amount(), wholeNumber(o, "timeoutSeconds", TwoPhase.DEFAULT_TIMEOUT_SECONDS))
                : ledger.transfer(asked.id(), asked.from(), asked.to(), asked.amount());
        var location = URI.create(urls.of(request.getContextPath(), "/api/ledger/transfers/" + transfer.id()));
        return Response.created(location).entity(LedgerJson.of(transfer)).build();
    }

    @POST
    @Path("transfers/{id}/post")
    @Operation(summary = "Post a reservation, with {\"amount\": n} to post n of it (1 to the reserved amount; all of it without): moves the money and "
            + "releases the rest, once. 201 posted (postedAmount); 409 with the final status when voided, expired, posted with another amount, "
            + "or not a reservation; 404 no such transfer; 503 not decided yet. Sent again with the same body, it answers the same")
    public Response post(@PathParam("id") String id,
                         @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "PostRequest"))) InputStream body) {
        var o = readOptionalObject(body);
        var amount = given(o, "amount") ? (Long) amount(o) : null;
        var posted = ledger.post(id, amount);
        return Response.status(Response.Status.CREATED).entity(LedgerJson.of(posted)).build();
    }

    @POST
    @Path("transfers/{id}/void")
    @Operation(summary = "Void a reservation: releases all it holds, once. 200 voided; 409 with the final status when posted, expired or "
            + "not a reservation; 404 no such transfer; 503 not decided yet. Sent again, it answers the same")
    public Response voidReservation(@PathParam("id") String id) {
        return Response.ok(LedgerJson.of(ledger.voidReservation(id))).build();
    }

    @GET
    @Path("reservations")
    @Operation(summary = "Reservations not yet settled, soonest to time out first, at most 'limit' (500)")
    public JsonArray reservations(@Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "500")) @QueryParam("limit") String limit) {
        var array = LedgerJson.JSON.createArrayBuilder();
        ledger.openReservations(limit(limit, 100)).forEach(t -> array.add(LedgerJson.of(t)));
        return array.build();
    }

    @POST
    @Path("transfers/batch")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Up to 1,000 transfers {\"transfers\":[{\"id\"?,\"from\",\"to\",\"amount\"},...],\"atomic\":true|false}. "
            + "atomic false: each decided on its own in the order given; 200 with every outcome in that order (successful, rejected, pending, "
            + "or refused with its problem). atomic true: all or none, decided together in the order given, each on what the ones before it "
            + "left; 201 all successful; 422 all rejected (the one that failed with its reason, the others 'linked transfer rejected'), "
            + "nothing moved; 202 not decided yet, stored whole (send it again for the outcome); 409 an id used before for another transfer. "
            + "400 and nothing stored when any transfer is malformed, names an unknown account (atomic) or an id is given twice")
    public Response transferBatch(@RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "TransferBatch"))) InputStream body) {
        var o = readObject(body, MAX_BATCH_BODY_BYTES, "256 KiB");
        if (!o.containsKey("atomic")) {
            throw new InvalidLedgerRequestException("atomic", "'atomic' must be given: true for all or none, false for each on its own");
        }
        var atomic = bool(o, "atomic");
        if (!(o.get("transfers") instanceof JsonArray items)) {
            throw new InvalidLedgerRequestException("transfers", "'transfers' must be an array");
        }
        var requests = new ArrayList<Ledger.TransferRequest>(items.size());
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof JsonObject t)) {
                throw new InvalidLedgerRequestException("transfers[" + i + "]", "each transfer must be a JSON object");
            }
            try {
                requests.add(transferRequest(t));
            } catch (InvalidLedgerRequestException e) {
                throw new InvalidLedgerRequestException("transfers[" + i + "]." + e.field(), e.getMessage());
            }
        }
        var outcomes = atomic ? ledger.transferAtomically(requests) : ledger.transferAll(requests);
        var answers = LedgerJson.JSON.createArrayBuilder();
        var given = requests.iterator();
        for (var outcome : outcomes) {
            var asked = given.next();
            answers.add(outcome.transfer() != null ? LedgerJson.of(outcome.transfer()) : refused(asked, outcome.refused()));
        }
        if (!atomic) {
            return Response.ok(LedgerJson.JSON.createObjectBuilder().add("transfers", answers).build()).build();
        }
        return atomicAnswer(outcomes, answers);
    }

    /**
     * An atomic batch's answer: 201 when every transfer is successful, 202 while it is pending (stored whole), else
     * 422 problem+json naming the transfer that failed, with every outcome in {@code transfers}.
     */
    private static Response atomicAnswer(List<TransferOutcome> outcomes, JsonArrayBuilder answers) {
        var statuses = outcomes.stream().map(o -> o.transfer() == null ? null : o.transfer().status()).toList();
        if (statuses.stream().allMatch(s -> s == TransferStatus.SUCCESSFUL)) {
            return Response.status(Response.Status.CREATED).entity(LedgerJson.JSON.createObjectBuilder().add("transfers", answers).build()).build();
        }
        if (statuses.contains(TransferStatus.PENDING)) {
            return Response.accepted(LedgerJson.JSON.createObjectBuilder().add("transfers", answers).build()).header("Retry-After", "1").build();
        }
        var failed = outcomes.stream().filter(o -> o.transfer() == null || !Link.LINKED_REJECTED.equals(o.transfer().reason())).findFirst()
                .map(o -> o.transfer() == null ? o.refused().getMessage() : "transfer " + o.transfer().id() + ": " + o.transfer().reason())
                .orElse(Link.LINKED_REJECTED);
        var body = new Problem("about:blank", "Unprocessable Content", 422, "The atomic batch was rejected, and nothing of it moved: " + failed + ".", null).toJson();
        var withOutcomes = LedgerJson.JSON.createObjectBuilder(body).add("transfers", answers).build();
        return Response.status(422).type(Problem.MEDIA).entity(withOutcomes.toString()).build();
    }

    /** A transfer as the body gives it: {@code id} (optional), {@code from}, {@code to}, {@code amount}. */
    private static Ledger.TransferRequest transferRequest(JsonObject o) {
        var id = given(o, "id") ? string(o, "id") : null;
        return new Ledger.TransferRequest(id, string(o, "from"), string(o, "to"), amount(o));
    }

    private static long amount(JsonObject o) {
        return o.get("amount") instanceof JsonNumber n && n.isIntegral() ? exact(n) : invalidAmount();
    }

    /** A whole number the body may give ({@code fallback} when it does not). */
    private static long wholeNumber(JsonObject o, String name, long fallback) {
        if (!given(o, name)) {
            return fallback;
        }
        if (o.get(name) instanceof JsonNumber n && n.isIntegral()) {
            try {
                return n.longValueExact();
            } catch (ArithmeticException e) {
                // out of range: refused below
            }
        }
        throw new InvalidLedgerRequestException(name, "'" + name + "' must be a whole number");
    }

    /** A transfer of a batch that was refused: its id (when it had one) and the problem a lone transfer would have answered. */
    private static JsonObject refused(Ledger.TransferRequest asked, RuntimeException refusal) {
        var builder = LedgerJson.JSON.createObjectBuilder();
        if (asked.id() != null) {
            builder.add("id", asked.id());
        }
        var problem = switch (refusal) {
            case TransferConflictException c -> LedgerProblems.problem(c);
            case InvalidLedgerRequestException i -> LedgerProblems.problem(i);
            default -> new Problem("about:blank", "Service Unavailable", 503, "the database refused the transfer; send the batch again", null);
        };
        return builder.add("status", "refused").add("problem", problem.toJson()).build();
    }

    @GET
    @Path("transfers/{id}")
    @Operation(summary = "A transfer: pending, successful or rejected (with its reason); a two-phase one reserved, posted (postedAmount), voided or expired")
    public Response transfer(@PathParam("id") String id) {
        var reservation = ledger.findReservation(id);
        if (reservation.isPresent()) {
            return Response.ok(LedgerJson.of(reservation.get())).build();
        }
        return ledger.find(id).map(t -> Response.ok(LedgerJson.of(t)).build())
                .orElseGet(() -> Problem.of(Response.Status.NOT_FOUND, "No transfer " + id + ".").toResponse().build());
    }

    @GET
    @Path("check")
    @Operation(summary = "The invariant check: balances recomputed from the log, their sum, forbidden negatives, places, transfers pending longer than 'pendingSeconds' (60)")
    public JsonObject check(@Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "0")) @QueryParam("pendingSeconds") String pendingSeconds) {
        var seconds = pendingSeconds == null ? 60 : number("pendingSeconds", pendingSeconds);
        var r = ledger.check(Duration.ofSeconds(Math.min(seconds, 365L * 86400)));
        var stale = LedgerJson.JSON.createArrayBuilder();
        r.stalePending().forEach(t -> stale.add(LedgerJson.of(t)));
        var balances = LedgerJson.JSON.createObjectBuilder();
        r.balances().forEach(balances::add);
        var fromLog = LedgerJson.JSON.createObjectBuilder();
        r.balancesFromLog().forEach(fromLog::add);
        var reserved = LedgerJson.JSON.createObjectBuilder();
        r.reserved().forEach(reserved::add);
        var reservedFromLog = LedgerJson.JSON.createObjectBuilder();
        r.reservedFromLog().forEach(reservedFromLog::add);
        return LedgerJson.JSON.createObjectBuilder().add("ok", r.ok()).add("decided", r.decided())
                .add("sumOfBalances", r.sumOfBalances()).add("sumFromLog", r.sumFromLog())
                .add("balances", balances).add("balancesFromLog", fromLog).add("reserved", reserved).add("reservedFromLog", reservedFromLog)
                .add("mismatches", LedgerJson.JSON.createArrayBuilder(r.mismatches()))
                .add("forbiddenNegatives", LedgerJson.JSON.createArrayBuilder(r.forbiddenNegatives()))
                .add("placeProblems", LedgerJson.JSON.createArrayBuilder(r.placeProblems()))
                .add("notes", LedgerJson.JSON.createArrayBuilder(r.notes()))
                .add("stalePending", stale).build();
    }

    private static long exact(JsonNumber n) {
        try {
            return n.longValueExact();
        } catch (ArithmeticException e) {
            throw new InvalidLedgerRequestException("amount", "'amount' is out of range");
        }
    }

    private static long invalidAmount() {
        throw new InvalidLedgerRequestException("amount", "'amount' is a positive whole number of minor units");
    }

    /** A listing's 'limit': 1 to 500, {@code fallback} when not given. */
    private static int limit(String text, int fallback) {
        var max = text == null ? fallback : number("limit", text);
        if (max < 1 || max > 500) {
            throw new InvalidLedgerRequestException("limit", "'limit' is 1 to 500");
        }
        return (int) max;
    }

    /** Whether the body gives the field (null counts as not given). */
    private static boolean given(JsonObject o, String name) {
        return o.containsKey(name) && o.get(name) != JsonValue.NULL;
    }

    private static long number(String field, String text) {
        return Inputs.wholeNumber(field, text, InvalidLedgerRequestException::new);
    }

    private static JsonObject readObject(InputStream body) {
        return readObject(body, MAX_BODY_BYTES, "4 KiB");
    }

    /** A body that may be left out (or empty): then no fields; when given, a JSON object like any other. */
    private static JsonObject readOptionalObject(InputStream body) {
        var text = Inputs.utf8(body, MAX_BODY_BYTES, "body", "body", "the body is larger than 4 KiB", InvalidLedgerRequestException::new);
        return text.isBlank() ? JsonValue.EMPTY_JSON_OBJECT : parsedObject(text);
    }

    private static JsonObject readObject(InputStream body, int maxBytes, String max) {
        return parsedObject(Inputs.utf8(body, maxBytes, "body", "body", "the body is larger than " + max, InvalidLedgerRequestException::new));
    }

    private static JsonObject parsedObject(String text) {
        try {
            if (Inputs.strictJson(text) instanceof JsonObject object) {
                return object;
            }
        } catch (RuntimeException e) {
            throw new InvalidLedgerRequestException("body", "the body is not valid JSON");
        }
        throw new InvalidLedgerRequestException("body", "the body must be a JSON object");
    }

    private static String string(JsonObject o, String name) {
        if (o.get(name) instanceof JsonString s) {
            return s.getString();
        }
        throw new InvalidLedgerRequestException(name, "'" + name + "' must be a string");
    }

    private static boolean bool(JsonObject o, String name) {
        if (o.get(name) == JsonValue.TRUE) {
            return true;
        }
        if (o.get(name) == JsonValue.FALSE) {
            return false;
        }
        throw new InvalidLedgerRequestException(name, "'" + name + "' must be true or false");
    }
}
