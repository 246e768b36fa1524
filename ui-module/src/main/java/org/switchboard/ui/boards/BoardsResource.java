package org.switchboard.ui.boards;

import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
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
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.InputStream;
import java.time.Duration;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.switchboard.noticeboard.boundary.InvalidBoardRequestException;
import org.switchboard.noticeboard.boundary.NoticeBoards;
import org.switchboard.ui.api.ApiApplication;
import org.switchboard.ui.api.Inputs;
import org.switchboard.ui.api.OpenStreams;
import org.switchboard.ui.api.Problem;

/** Notice boards over HTTP: post (admin), read, long-poll watch, server-sent events, list. */
@Path("boards")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class BoardsResource {

    @Inject
    NoticeBoards boards;

    @Inject
    BoardEvents events;

    @Inject
    OpenStreams streams;

    @GET
    @Operation(summary = "The boards, most recently posted first, with their revision and time of last post")
    public JsonArray list(@Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1")) @QueryParam("limit") @DefaultValue("1000") String limit) {
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
    @Operation(summary = "Post a new value (any JSON up to 64 KiB); answers the board with its new revision and its ETag. "
            + "With If-Match (the ETag read, or *) the post is made only if the board is still at that version (compare-and-set); "
            + "with If-None-Match: * only if the board does not exist. Otherwise 412, with the board's current revision, and nothing is posted")
    public Response post(@PathParam("board") String board,
                         @Parameter(description = "the board's ETag as read, or *: post only if it is still at that version (or exists)")
                         @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch,
                         @Parameter(description = "* only: post only if the board does not exist")
                         @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch,
                         @Parameter(description = "a lease, 1 to 2592000 (30 days): the board expires this long after its last post; "
                                 + "every post renews it, and a post without it keeps the board's own",
                                 schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "2592000"))
                         @QueryParam("ttlSeconds") String ttlSeconds,
                         @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "BoardValue"))) InputStream body) {
        var condition = BoardETags.forPut(ifMatch, ifNoneMatch);
        var lease = ttlSeconds == null ? null : Duration.ofSeconds(number("ttlSeconds", ttlSeconds));
        var posted = boards.post(board, readValue(body), condition, lease);
        return Response.ok(BoardJson.of(posted)).tag(BoardETags.of(posted)).build();
    }

    @DELETE
    @Path("{board}")
    @RolesAllowed("admin")
    @SecurityRequirement(name = ApiApplication.BASIC)
    @Operation(summary = "Delete the board: its long polls are answered 404 at once, its event streams get a 'deleted' event; "
            + "a later post starts it again under a new epoch")
    public Response delete(@PathParam("board") String board) {
        return boards.delete(board) ? Response.noContent().build()
                : Problem.of(Response.Status.NOT_FOUND, "There is no board " + board + ".").toResponse().build();
    }

    /** The current value. With {@code after}, the request is a long poll, answered by {@link BoardPollFilter} before it gets here. */
    @GET
    @Path("{board}")
    @Operation(summary = "The board, with its version as ETag; with If-None-Match naming that version, 304 and no body. "
            + "With 'after' (a revision), 'epoch' and 'wait' (seconds, default 60, at most 300): a long poll "
            + "that answers when a newer revision is posted or the wait is over, with 'next', the URL of the following poll")
    public Response get(@PathParam("board") String board,
                        @Parameter(description = "ETags (or *): answered 304 Not Modified if the board is still at one of them")
                        @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        return boards.current(board).map(b -> ifNoneMatch != null && BoardETags.matches(ifNoneMatch, b)
                        ? Response.notModified(BoardETags.of(b)).build()
                        : Response.ok(BoardJson.of(b)).tag(BoardETags.of(b)).build())
                .orElseGet(() -> Problem.of(Response.Status.NOT_FOUND,
                        "Board " + board + " holds nothing: it was never posted to, or it was deleted or its lease ran out.").toResponse().build());
    }

    @GET
    @Path("{board}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Server-sent events: the current value, then every new one; event id = revision; Last-Event-ID resumes")
    public void stream(@PathParam("board") String board,
                       @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "0")) @HeaderParam(HttpHeaders.LAST_EVENT_ID_HEADER) String lastEventId,
                       @Context SseEventSink sink, @Context Sse sse, @Context HttpServletRequest request) {
        long after = lastEventId == null || lastEventId.isBlank() ? -1 : number("Last-Event-ID", lastEventId);
        NoticeBoards.checkName(board);
        var permit = streams.open(request).orElseThrow(streams::refused);
        try {
            events.stream(board, after, sink, sse, permit);
        } catch (RuntimeException e) {
            permit.close();
            throw e;
        }
    }

    private static long number(String field, String text) {
        return Inputs.wholeNumber(field, text, InvalidBoardRequestException::new);
    }

    /** Reads at most 64 KiB + 1 byte: a larger body is refused without being buffered whole. */
    private static String readValue(InputStream body) {
        return Inputs.utf8(body, NoticeBoards.MAX_VALUE_BYTES, "value", "value", "the value is larger than 64 KiB",
                InvalidBoardRequestException::new);
    }

}
