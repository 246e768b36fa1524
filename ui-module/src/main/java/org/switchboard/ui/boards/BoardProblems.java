package org.switchboard.ui.boards;

import jakarta.json.Json;
import jakarta.json.JsonValue;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.switchboard.noticeboard.boundary.BoardConditionFailedException;
import org.switchboard.noticeboard.boundary.InvalidBoardRequestException;
import org.switchboard.ui.api.Problem;

/** A broken notice-board rule: 400 problem+json naming the input at fault. */
@Provider
public class BoardProblems implements ExceptionMapper<InvalidBoardRequestException> {

    /**
     * A conditional post whose condition did not hold: 412 problem+json with the board's current
     * {@code revision} and {@code epoch} (null when it does not exist), and its ETag.
     */
    @Provider
    public static class ConditionFailed implements ExceptionMapper<BoardConditionFailedException> {
        @Override
        public Response toResponse(BoardConditionFailedException e) {
            var body = Json.createObjectBuilder().add("type", "about:blank").add("title", "Precondition Failed")
                    .add("status", 412).add("detail", e.getMessage());
            e.current().ifPresentOrElse(v -> body.add("revision", v.revision()).add("epoch", v.epoch()),
                    () -> body.add("revision", 0).add("epoch", JsonValue.NULL));
            var answer = Response.status(Response.Status.PRECONDITION_FAILED).type(Problem.MEDIA).entity(body.build().toString());
            e.current().ifPresent(v -> answer.tag(BoardETags.of(v)));
            return answer.build();
        }
    }

    @Override
    public Response toResponse(InvalidBoardRequestException e) {
        return of(e);
    }

    static Response of(InvalidBoardRequestException e) {
        return Problem.invalid(e.field(), e.getMessage()).toResponse().build();
    }
}
