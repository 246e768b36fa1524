package org.switchboard.ui.api;

import jakarta.json.bind.JsonbException;
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

    /**
     * A module's server out of reach: 503 with {@code Retry-After} (see {@link Unavailable}). Anything
     * else is our fault: 500 with an id that finds the stack trace in the log.
     */
    @Provider
    public static class Unexpected implements ExceptionMapper<Throwable> {

        @Override
        public Response toResponse(Throwable e) {
            return Unavailable.response(e).orElseGet(() -> log(e));
        }

        public static Response log(Throwable e) {
            return problem(e).toResponse().build();
        }

        /** Logs the failure under a new id and answers the 500 problem that names it. */
        public static Problem problem(Throwable e) {
            var id = UUID.randomUUID().toString();
            LOG.log(System.Logger.Level.ERROR, () -> "Unexpected error " + id, e);
            return Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "Unexpected error; the server log has it under id " + id + ".");
        }
    }
}
