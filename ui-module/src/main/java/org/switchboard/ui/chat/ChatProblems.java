package org.switchboard.ui.chat;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import org.switchboard.chat.boundary.InvalidChatRequestException;
import org.switchboard.chat.boundary.RateLimitedException;
import org.switchboard.ui.api.Problem;

/** The chat module's refusals as problem+json: 400 naming the input at fault, 429 with Retry-After. */
public final class ChatProblems {

    private ChatProblems() {
    }

    @Provider
    public static class Invalid implements ExceptionMapper<InvalidChatRequestException> {
        @Override
        public Response toResponse(InvalidChatRequestException e) {
            return new Problem("about:blank", "Bad Request", 400, e.getMessage(),
                    List.of(new Problem.FieldError(e.field(), e.getMessage()))).toResponse().build();
        }
    }

    @Provider
    public static class Limited implements ExceptionMapper<RateLimitedException> {
        @Override
        public Response toResponse(RateLimitedException e) {
            return Problem.of(Response.Status.TOO_MANY_REQUESTS, e.getMessage()).toResponse()
                    .header(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, e.retryAfter().toSeconds())))
                    .build();
        }
    }
}
