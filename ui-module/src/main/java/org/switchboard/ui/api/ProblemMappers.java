package org.switchboard.ui.api;

import jakarta.json.bind.JsonbException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.NotAuthorizedException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.UUID;
import org.switchboard.ui.security.SwitchboardAuthentication;

/**
 * The one place where exceptions become HTTP answers: always {@code application/problem+json},
 * never a stack trace or an HTML error page.
 */
public final class ProblemMappers {

    private static final System.Logger LOG = System.getLogger(ProblemMappers.class.getName());

    private ProblemMappers() {
    }

    /** JAX-RS's own errors (404, 405, 406, 415, ...) keep their status. */
    @Provider
    public static class WebApplication implements ExceptionMapper<WebApplicationException> {

        @Context
        SecurityContext security;

        @Override
        public Response toResponse(WebApplicationException e) {
            // Jersey answers 403 and Payara's own role check 401 for an anonymous caller: both mean "log in"
            var anonymous = security.getUserPrincipal() == null;
            if (e instanceof NotAuthorizedException || (e instanceof ForbiddenException && anonymous)) {
                return Problem.of(Response.Status.UNAUTHORIZED, "This call needs the admin login (HTTP Basic).")
                        .toResponse().header(HttpHeaders.WWW_AUTHENTICATE, SwitchboardAuthentication.challenge()).build();
            }
            var status = e.getResponse().getStatusInfo();
            if (status.getStatusCode() >= 500) {
                return Unexpected.log(e);
            }
            var builder = Problem.of(status, detail(e)).toResponse();
            e.getResponse().getHeaders().forEach((name, values) -> {
                if (!name.equalsIgnoreCase(HttpHeaders.CONTENT_TYPE)) {
                    values.forEach(v -> builder.header(name, v));
                }
            });
            return builder.build();
        }

        private static String detail(WebApplicationException e) {
            var message = e.getMessage();
            // JAX-RS's default messages ("HTTP 404 Not Found") say nothing the status does not
            return message == null || message.startsWith("HTTP ") ? defaultDetail(e.getResponse().getStatus()) : message;
        }

        private static String defaultDetail(int status) {
            return switch (status) {
                case 404 -> "There is nothing at this address.";
                case 405 -> "This address does not take that method.";
                case 406 -> "This address cannot answer in the media type asked for.";
                case 415 -> "This address does not take that media type.";
                default -> "The request cannot be served.";
            };
        }
    }

    /** Bean Validation: 400, with one entry per broken rule. */
    @Provider
    public static class Validation implements ExceptionMapper<ConstraintViolationException> {

        @Override
        public Response toResponse(ConstraintViolationException e) {
            var errors = e.getConstraintViolations().stream()
                    .map(v -> new Problem.FieldError(lastNode(v.getPropertyPath().toString()), v.getMessage()))
                    .sorted(java.util.Comparator.comparing(Problem.FieldError::field))
                    .toList();
            return new Problem("about:blank", "Bad Request", 400, "The request breaks " + errors.size() + " rule(s).", errors)
                    .toResponse().build();
        }

        private static String lastNode(String path) {
            var dot = path.lastIndexOf('.');
            return dot < 0 ? path : path.substring(dot + 1);
        }
    }

    /** A body that is not the JSON expected. */
    @Provider
    public static class MalformedJson implements ExceptionMapper<JsonbException> {

        @Override
        public Response toResponse(JsonbException e) {
            return Problem.of(Response.Status.BAD_REQUEST, "The body is not the JSON expected.").toResponse().build();
        }
    }

    /** A body the runtime could not read at all. */
    @Provider
    public static class Unreadable implements ExceptionMapper<ProcessingException> {

        @Override
        public Response toResponse(ProcessingException e) {
            return Problem.of(Response.Status.BAD_REQUEST, "The body cannot be read as the JSON expected.").toResponse().build();
        }
    }

    /** Redis unreachable (down, restarting, failing over): 503, try again. Nothing was stored. */
    @Provider
    public static class RedisUnavailable implements ExceptionMapper<org.redisson.client.RedisException> {

        @Override
        public Response toResponse(org.redisson.client.RedisException e) {
            LOG.log(System.Logger.Level.WARNING, "Redis unavailable: {0}", e.getMessage());
            return Problem.of(Response.Status.SERVICE_UNAVAILABLE, "Redis cannot be reached; try again shortly.")
                    .toResponse().header(HttpHeaders.RETRY_AFTER, "5").build();
        }
    }

    /**
     * The SQL database failed (down, pool exhausted, failing over): 503, try again. The transaction
     * rolled back, so nothing was stored. Logged with its cause, as it may also be a defect.
     */
    @Provider
    public static class DatabaseUnavailable implements ExceptionMapper<jakarta.persistence.PersistenceException> {

        @Override
        public Response toResponse(jakarta.persistence.PersistenceException e) {
            return unavailable(e);
        }

        static Response unavailable(Throwable e) {
            LOG.log(System.Logger.Level.WARNING, "SQL database call failed", e);
            return Problem.of(Response.Status.SERVICE_UNAVAILABLE, "The database cannot be reached; try again shortly.")
                    .toResponse().header(HttpHeaders.RETRY_AFTER, "5").build();
        }
    }

    /** A {@code @Transactional} call that failed on the database arrives wrapped. */
    @Provider
    public static class TransactionFailed implements ExceptionMapper<jakarta.transaction.TransactionalException> {

        @Override
        public Response toResponse(jakarta.transaction.TransactionalException e) {
            return DatabaseUnavailable.unavailable(e);
        }
    }

    /** Anything else is our fault: 500 with an id that finds the stack trace in the log. */
    @Provider
    public static class Unexpected implements ExceptionMapper<Throwable> {

        @Override
        public Response toResponse(Throwable e) {
            return log(e);
        }

        public static Response log(Throwable e) {
            var id = UUID.randomUUID().toString();
            LOG.log(System.Logger.Level.ERROR, "Unexpected error " + id, e);
            return Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "Unexpected error; the server log has it under id " + id + ".")
                    .toResponse().build();
        }
    }
}
