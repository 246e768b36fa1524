package org.switchboard.ui.api;

import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.switchboard.chat.boundary.ChatUnavailableException;
import org.switchboard.jobs.boundary.JobsUnavailableException;
import org.switchboard.ledger.boundary.LedgerUnavailableException;
import org.switchboard.noticeboard.boundary.BoardsUnavailableException;

/**
 * The modules' own "my server is out of reach" failures, one family with one answer: 503
 * problem+json with {@code Retry-After}, whether the API, a long poll or a stream meets it.
 */
public final class Unavailable {

    public static final String RETRY_AFTER_SECONDS = "5";
    private static final System.Logger LOG = System.getLogger(Unavailable.class.getName());

    private Unavailable() {
    }

    /** The problem for a module's server out of reach (also inside a future's failure); empty for anything else. */
    public static Optional<Problem> problem(Throwable failure) {
        var cause = (failure instanceof CompletionException || failure instanceof ExecutionException) && failure.getCause() != null
                ? failure.getCause() : failure;
        var detail = switch (cause) {
            case JobsUnavailableException e -> "The job queues cannot reach Redis; try again shortly.";
            case BoardsUnavailableException e -> "The notice boards cannot reach Redis; try again shortly.";
            case ChatUnavailableException e -> "The chat cannot reach Redis or its database; try again shortly.";
            case LedgerUnavailableException e ->
                    "The ledger cannot reach CouchDB; try again shortly. A transfer sent again under the same id is made once.";
            default -> null;
        };
        if (detail == null) {
            return Optional.empty();
        }
        LOG.log(System.Logger.Level.WARNING, "{0}: {1}", cause.getClass().getSimpleName(), cause.getMessage());
        return Optional.of(Problem.of(Response.Status.SERVICE_UNAVAILABLE, detail));
    }

    /** The JAX-RS answer for a module's server out of reach; empty for anything else. */
    public static Optional<Response> response(Throwable failure) {
        return problem(failure).map(p -> p.toResponse().header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS).build());
    }

    /** Writes the answer for a module's server out of reach; false (and nothing written) for anything else. */
    public static boolean write(Throwable failure, HttpServletResponse response) throws IOException {
        var problem = problem(failure);
        if (problem.isEmpty()) {
            return false;
        }
        response.setHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
        problem.get().write(response);
        return true;
    }
}
