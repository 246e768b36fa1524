package org.switchboard.ui.ledger;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import org.switchboard.ledger.boundary.InvalidLedgerRequestException;
import org.switchboard.ledger.boundary.TransferConflictException;
import org.switchboard.ledger.boundary.TransferPendingException;
import org.switchboard.ledger.boundary.TransferRejectedException;
import org.switchboard.ui.api.Problem;

/** The ledger's refusals as problem+json: 400 bad input, 409 an id reused with other fields, 422 rejected, 503 still pending. */
public final class LedgerProblems {

    private LedgerProblems() {
    }

    @Provider
    public static class Invalid implements ExceptionMapper<InvalidLedgerRequestException> {
        @Override
        public Response toResponse(InvalidLedgerRequestException e) {
            return new Problem("about:blank", "Bad Request", 400, e.getMessage(), List.of(new Problem.FieldError(e.field(), e.getMessage())))
                    .toResponse().build();
        }
    }

    @Provider
    public static class Conflict implements ExceptionMapper<TransferConflictException> {
        @Override
        public Response toResponse(TransferConflictException e) {
            return new Problem("about:blank", "Conflict", 409, e.getMessage(), List.of(new Problem.FieldError(e.field(), e.getMessage())))
                    .toResponse().build();
        }
    }

    /** 422 with the transfer's outcome as extension members: {@code "status":"rejected"}, {@code "reason"}, {@code "id"}. */
    @Provider
    public static class Rejected implements ExceptionMapper<TransferRejectedException> {
        @Override
        public Response toResponse(TransferRejectedException e) {
            // the transfer's own "status" ("rejected"); the HTTP status goes in "httpStatus"
            var body = LedgerJson.builder(e.transfer()).add("type", "about:blank").add("title", "Unprocessable Content")
                    .add("detail", e.getMessage()).add("httpStatus", 422).build();
            return Response.status(422).type(Problem.MEDIA).entity(body.toString()).build();
        }
    }

    @Provider
    public static class Pending implements ExceptionMapper<TransferPendingException> {
        @Override
        public Response toResponse(TransferPendingException e) {
            var body = LedgerJson.builder(e.transfer()).add("type", "about:blank").add("title", "Service Unavailable")
                    .add("detail", e.getMessage()).add("httpStatus", 503).build();
            return Response.status(503).type(Problem.MEDIA).header("Retry-After", "1").entity(body.toString()).build();
        }
    }
}
