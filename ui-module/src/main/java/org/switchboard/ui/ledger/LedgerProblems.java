package org.switchboard.ui.ledger;

import jakarta.json.JsonObject;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import org.switchboard.ledger.boundary.InvalidLedgerRequestException;
import org.switchboard.ledger.boundary.NoSuchTransferException;
import org.switchboard.ledger.boundary.ReservationSettledException;
import org.switchboard.ledger.boundary.TransferConflictException;
import org.switchboard.ledger.boundary.TransferPendingException;
import org.switchboard.ledger.boundary.TransferRejectedException;
import org.switchboard.ledger.entity.Transfer;
import org.switchboard.ui.api.Problem;

/**
 * The ledger's refusals as problem+json: 400 bad input, 404 no such transfer, 409 an id reused with
 * other fields or a reservation that is not open, 422 rejected, 503 still pending.
 */
public final class LedgerProblems {

    private LedgerProblems() {
    }

    @Provider
    public static class Invalid implements ExceptionMapper<InvalidLedgerRequestException> {
        @Override
        public Response toResponse(InvalidLedgerRequestException e) {
            return problem(e).toResponse().build();
        }
    }

    @Provider
    public static class Conflict implements ExceptionMapper<TransferConflictException> {
        @Override
        public Response toResponse(TransferConflictException e) {
            return problem(e).toResponse().build();
        }
    }

    @Provider
    public static class NoSuchTransfer implements ExceptionMapper<NoSuchTransferException> {
        @Override
        public Response toResponse(NoSuchTransferException e) {
            return Problem.of(Response.Status.NOT_FOUND, e.getMessage()).toResponse().build();
        }
    }

    /** 409 with the reservation as it stands, its final status in {@code transferStatus} (posted, voided, expired, rejected). */
    @Provider
    public static class Settled implements ExceptionMapper<ReservationSettledException> {
        @Override
        public Response toResponse(ReservationSettledException e) {
            return problem(LedgerJson.of(e.reservation()), 409, "Conflict", e.getMessage()).build();
        }
    }

    /**
     * 422 with the transfer as extension members: RFC 9457's {@code status} is the HTTP status, so the
     * transfer's own status goes in {@code transferStatus} ({@code "rejected"}), beside {@code reason}
     * and {@code id}.
     */
    @Provider
    public static class Rejected implements ExceptionMapper<TransferRejectedException> {
        @Override
        public Response toResponse(TransferRejectedException e) {
            return transferProblem(e.transfer(), 422, "Unprocessable Content", e.getMessage()).build();
        }
    }

    /** 503 with {@code Retry-After}: stored and still pending ({@code "transferStatus":"pending"}), sent again later it answers its outcome. */
    @Provider
    public static class Pending implements ExceptionMapper<TransferPendingException> {
        @Override
        public Response toResponse(TransferPendingException e) {
            return transferProblem(e.transfer(), 503, "Service Unavailable", e.getMessage()).header("Retry-After", "1").build();
        }
    }

    /** 400 naming the input at fault; also a refused transfer's problem inside a batch's answer. */
    static Problem problem(InvalidLedgerRequestException e) {
        return Problem.invalid(e.field(), e.getMessage());
    }

    /** 409 naming the field that differs; also a refused transfer's problem inside a batch's answer. */
    static Problem problem(TransferConflictException e) {
        return new Problem("about:blank", "Conflict", 409, e.getMessage(), List.of(new Problem.FieldError(e.field(), e.getMessage())));
    }

    private static Response.ResponseBuilder transferProblem(Transfer transfer, int status, String title, String detail) {
        return problem(LedgerJson.of(transfer), status, title, detail);
    }

    private static Response.ResponseBuilder problem(JsonObject transfer, int status, String title, String detail) {
        var body = LedgerJson.JSON.createObjectBuilder();
        transfer.forEach((name, value) -> body.add("status".equals(name) ? "transferStatus" : name, value));
        body.add("type", "about:blank").add("title", title).add("status", status).add("detail", detail);
        return Response.status(status).type(Problem.MEDIA).entity(body.build().toString());
    }
}
