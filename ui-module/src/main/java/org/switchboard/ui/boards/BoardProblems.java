package org.switchboard.ui.boards;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.switchboard.noticeboard.boundary.InvalidBoardRequestException;
import org.switchboard.ui.api.Problem;

/** A broken notice-board rule: 400 problem+json naming the input at fault. */
@Provider
public class BoardProblems implements ExceptionMapper<InvalidBoardRequestException> {

    @Override
    public Response toResponse(InvalidBoardRequestException e) {
        return of(e);
    }

    static Response of(InvalidBoardRequestException e) {
        return Problem.invalid(e.field(), e.getMessage()).toResponse().build();
    }
}
