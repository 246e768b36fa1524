package org.switchboard.ui.chat;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.net.URI;
import java.time.ZoneOffset;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.switchboard.chat.boundary.ChatRooms;
import org.switchboard.chat.boundary.InvalidChatRequestException;
import org.switchboard.ui.api.ClientAddress;
import org.switchboard.ui.api.Inputs;
import org.switchboard.ui.api.Problem;
import org.switchboard.ui.api.PublicUrl;

/**
 * Chat rooms over HTTP: post (open to all, rate-limited), history, rooms, presence. The room's
 * server-sent events ({@code GET /api/chat/rooms/{room}/events}) are served by {@link ChatStreamFilter}.
 */
@Path("chat/rooms")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class ChatResource {

    /** A message's JSON: 4000 characters of text, each possibly escaped as a surrogate pair, fit well within this. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final JsonProvider JSON = JsonProvider.provider();

    @Inject
    ChatRooms chat;


    @Context
    HttpServletRequest request;

    @Inject
    PublicUrl urls;

    @Inject
    ClientAddress clients;

    @GET
    @Operation(summary = "The rooms, most recently active first, with their message count and last activity")
    public JsonArray rooms(@Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1")) @QueryParam("limit") @DefaultValue("1000") String limit) {
        var array = JSON.createArrayBuilder();
        chat.rooms((int) Math.min(Integer.MAX_VALUE, number("limit", limit))).forEach(r -> {
            var room = JSON.createObjectBuilder().add("room", r.name()).add("messages", r.lastSeq());
            if (r.lastActivity() != null) {
                room.add("lastActivity", r.lastActivity().toInstant(ZoneOffset.UTC).toString());
            } else {
                room.addNull("lastActivity");
            }
            array.add(room);
        });
        return array.build();
    }

    @POST
    @Path("{room}/messages")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Post {\"author\",\"text\"}: stored under the room's next sequence number, then broadcast")
    public Response post(@PathParam("room") String room, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "ChatMessageRequest"))) InputStream body) {
        if (!isJson(contentType)) {
            // Jersey lets a request without Content-Type through to a JSON method; a form cannot post here
            throw new NotSupportedException("Send the message as application/json.");
        }
        ChatRooms.checkRoom(room);
        var message = readMessage(body);
        var stored = request.isUserInRole("admin")
                ? chat.postAsAdmin(room, message.getString("author"), message.getString("text"), clients.of(request))
                : chat.post(room, message.getString("author"), message.getString("text"), clients.of(request));
        var location = URI.create(urls.of(request.getContextPath(), "/api/chat/rooms/" + room + "/messages/" + stored.seq()));
        return Response.created(location).entity(ChatJson.of(stored)).build();
    }

    @GET
    @Path("{room}/messages")
    @Operation(summary = "History, ascending: the page after 'after' (default 0), or the page before 'before'; at most 500")
    public JsonArray history(@PathParam("room") String room,
                             @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "0")) @QueryParam("after") String after,
                             @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1")) @QueryParam("before") String before,
                             @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1")) @QueryParam("limit") @DefaultValue("100") String limit) {
        if (after != null && before != null) {
            throw new InvalidChatRequestException("before", "give 'after' or 'before', not both");
        }
        var n = (int) Math.min(Integer.MAX_VALUE, number("limit", limit));
        var page = before != null
                ? chat.before(room, number("before", before), n)
                : chat.after(room, after == null ? 0 : number("after", after), n);
        var array = JSON.createArrayBuilder();
        page.forEach(m -> array.add(ChatJson.of(m)));
        return array.build();
    }

    @GET
    @Path("{room}/messages/{seq}")
    @Operation(summary = "One message by its sequence number")
    public Response message(@PathParam("room") String room, @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1")) @PathParam("seq") String seq) {
        return chat.message(room, number("seq", seq))
                .map(m -> Response.ok(ChatJson.of(m)).build())
                .orElseGet(() -> Problem.of(Response.Status.NOT_FOUND, "Room " + room + " has no message " + seq + ".").toResponse().build());
    }

    @GET
    @Path("{room}/presence")
    @Operation(summary = "Who is connected to the room (open event streams that gave a name)")
    public JsonObject presence(@PathParam("room") String room) {
        var names = JSON.createArrayBuilder();
        chat.present(room).forEach(names::add);
        return JSON.createObjectBuilder().add("room", room).add("present", names).build();
    }

    static long number(String field, String text) {
        return Inputs.wholeNumber(field, text, InvalidChatRequestException::new);
    }

    private static boolean isJson(String contentType) {
        try {
            return contentType != null && MediaType.APPLICATION_JSON_TYPE.isCompatible(MediaType.valueOf(contentType));
        } catch (IllegalArgumentException malformed) {
            return false;
        }
    }

    /** Reads at most 64 KiB + 1 byte of strict UTF-8 and parses one JSON object with string "author" and "text". */
    private static JsonObject readMessage(InputStream body) {
        var text = Inputs.utf8(body, MAX_BODY_BYTES, "text", "body", "the body is larger than 64 KiB", InvalidChatRequestException::new);
        JsonValue value;
        try {
            value = Inputs.strictJson(text);
        } catch (RuntimeException e) {
            // JsonException for bad syntax; Parsson's nesting limit throws a plain RuntimeException
            throw new InvalidChatRequestException("text", "the body is not one JSON object with each key once: send {\"author\": \"...\", \"text\": \"...\"}");
        }
        if (!(value instanceof JsonObject object)) {
            throw new InvalidChatRequestException("text", "the body must be a JSON object: {\"author\": \"...\", \"text\": \"...\"}");
        }
        for (var field : new String[] {"author", "text"}) {
            if (!(object.get(field) instanceof JsonString)) {
                throw new InvalidChatRequestException(field, "'" + field + "' is missing or not a string");
            }
        }
        return object;
    }
}
