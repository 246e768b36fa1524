package org.switchboard.ui.jobs;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import org.switchboard.jobs.boundary.InvalidJobRequestException;
import org.switchboard.ui.api.Problem;

/** A broken job rule: 400 problem+json naming the field at fault. */
@Provider
public class JobProblems implements ExceptionMapper<InvalidJobRequestException> {

    @Override
    public Response toResponse(InvalidJobRequestException e) {
        return new Problem("about:blank", "Bad Request", 400, e.getMessage(),
                List.of(new Problem.FieldError(e.field(), e.getMessage()))).toResponse().build();
    }
}
