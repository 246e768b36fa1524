package org.switchboard.ui.api;

import jakarta.json.JsonObject;
import jakarta.json.spi.JsonProvider;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An RFC 9457 problem detail, the body of every error the API answers.
 *
 * @param errors for a request that broke several rules, one entry per rule (absent otherwise)
 */
public record Problem(String type, String title, int status, String detail, List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final MediaType MEDIA = MediaType.valueOf(MEDIA_TYPE);
    private static final JsonProvider JSON = JsonProvider.provider();

    public record FieldError(String field, String message) {
    }

    public static Problem of(Response.StatusType status, String detail) {
        return new Problem("about:blank", status.getReasonPhrase(), status.getStatusCode(), detail, null);
    }

    /** 400 for one broken rule, naming the input at fault. */
    public static Problem invalid(String field, String message) {
        return new Problem("about:blank", "Bad Request", 400, message, List.of(new FieldError(field, message)));
    }

    /** The problem's members, as the API's mappers write them (also inside another answer: a refused transfer of a batch). */
    public JsonObject toJson() {
        var body = JSON.createObjectBuilder().add("type", type).add("title", title).add("status", status).add("detail", detail);
        if (errors != null) {
            var list = JSON.createArrayBuilder();
            errors.forEach(e -> list.add(JSON.createObjectBuilder().add("field", e.field()).add("message", e.message())));
            body.add("errors", list);
        }
        return body.build();
    }

    public Response.ResponseBuilder toResponse() {
        return Response.status(status).type(MEDIA).entity(this);
    }

    /** Writes this problem as the whole answer of a filter or the security layer: the body the API's mappers give. */
    public void write(HttpServletResponse response) throws IOException {
        var bytes = toJson().toString().getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType(MEDIA_TYPE);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
