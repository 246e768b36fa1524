package org.switchboard.ui.boards;

import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.switchboard.noticeboard.boundary.InvalidBoardRequestException;
import org.switchboard.noticeboard.boundary.NoticeBoards;
import org.switchboard.ui.api.ApiApplication;
import org.switchboard.ui.api.Inputs;
import org.switchboard.ui.api.Problem;
import org.switchboard.ui.api.ProblemMappers;

/** Notice boards over HTTP: post (admin), read, long-poll watch, server-sent events, list. */
@Path("boards")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class BoardsResource {

    @Inject
    NoticeBoards boards;

    @Inject
    BoardEvents events;

    @Context
    UriInfo uri;

    @GET
    @Operation(summary = "The boards, most recently posted first, with their revision and time of last post")
    public JsonArray list(@QueryParam("limit") @DefaultValue("1000") String limit) {
        var array = Json.createArrayBuilder();
        boards.list((int) Math.min(Integer.MAX_VALUE, number("limit", limit))).forEach(b -> array.add(Json.createObjectBuilder()
                .add("board", b.name()).add("revision", b.revision()).add("postedAt", b.postedAt().toString())));
        return array.build();
    }

    @PUT
    @Path("{board}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("admin")
    @SecurityRequirement(name = ApiApplication.BASIC)
    @Operation(summary = "Post a new value (any JSON up to 64 KiB); answers the board with its new revision")
    public JsonObject post(@PathParam("board") String board, InputStream body) {
        return BoardJson.of(boards.post(board, readValue(body)));
    }

    @GET
    @Path("{board}")
    @Operation(summary = "The board; with 'after', a long poll that answers when a newer revision is posted or 'wait' seconds pass")
    public CompletionStage<Response> get(@PathParam("board") String board,
                                         @QueryParam("after") String after,
                                         @QueryParam("epoch") String epoch,
                                         @QueryParam("wait") String wait) {
        if (after == null) {
            return java.util.concurrent.CompletableFuture.completedStage(boards.current(board)
                    .map(b -> Response.ok(BoardJson.of(b)).build())
                    .orElseGet(() -> Problem.of(Response.Status.NOT_FOUND, "Nothing was ever posted to board " + board + ".")
                            .toResponse().build()));
        }
        var afterRevision = number("after", after);
        var waitSeconds = wait == null ? NoticeBoards.DEFAULT_WAIT.toSeconds() : number("wait", wait);
        var base = uri.getBaseUriBuilder(); // now: the request's context is gone when the watch ends
        return boards.watch(board, afterRevision, epoch, Duration.ofSeconds(waitSeconds))
                .thenApply(outcome -> Response.ok(BoardJson.withNext(board, outcome.board(), base, wait)).build())
                .exceptionally(BoardsResource::unavailable);
    }

    @GET
    @Path("{board}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Server-sent events: the current value, then every new one; event id = revision; Last-Event-ID resumes")
    public void stream(@PathParam("board") String board,
                       @HeaderParam(HttpHeaders.LAST_EVENT_ID_HEADER) String lastEventId,
                       @Context SseEventSink sink, @Context Sse sse) {
        long after = lastEventId == null || lastEventId.isBlank() ? -1 : number("Last-Event-ID", lastEventId);
        NoticeBoards.checkName(board);
        events.stream(board, after, sink, sse);
    }
    private static long number(String field, String text) {
        return Inputs.wholeNumber(field, text, InvalidBoardRequestException::new);
    }

    /** Reads at most 64 KiB + 1 byte: a larger body is refused without being buffered whole. */
    private static String readValue(InputStream body) {
        return Inputs.utf8(body, NoticeBoards.MAX_VALUE_BYTES, "value", "value", "the value is larger than 64 KiB",
                InvalidBoardRequestException::new);
    }

    private static Response unavailable(Throwable failure) {
        var cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof InvalidBoardRequestException invalid) {
            return BoardProblems.of(invalid);
        }
        if (!(cause instanceof org.redisson.client.RedisException)) {
            return ProblemMappers.Unexpected.log(cause);
        }
        return Problem.of(Response.Status.SERVICE_UNAVAILABLE, "The notice boards cannot reach Redis; try again shortly.")
                .toResponse().header(HttpHeaders.RETRY_AFTER, "5").build();
    }
}
