package org.switchboard.ui.platform;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * Runs one readiness check with a deadline, so that a server that hangs rather than refuses makes
 * {@code /health/ready} answer "down" quickly instead of hanging too.
 */
final class Probe {

    static final long TIMEOUT_MILLIS = 3000;

    private Probe() {
    }

    /** The check answers a short description of the server (its version), or throws. */
    static HealthCheckResponse run(String name, Executor executor, Callable<String> check) {
        var response = HealthCheckResponse.named(name);
        try {
            var future = CompletableFuture.supplyAsync(() -> call(check), executor);
            return response.up().withData("server", future.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)).build();
        } catch (TimeoutException e) {
            return response.down().withData("error", "no answer within " + TIMEOUT_MILLIS + " ms").build();
        } catch (ExecutionException e) {
            return response.down().withData("error", describe(e.getCause())).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return response.down().withData("error", "interrupted").build();
        } catch (RuntimeException e) {
            return response.down().withData("error", describe(e)).build();
        }
    }

    private static String call(Callable<String> check) {
        try {
            return check.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static String describe(Throwable e) {
        var root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        var message = root.getMessage() == null ? "" : ": " + root.getMessage();
        var text = root.getClass().getSimpleName() + message;
        return text.length() > 300 ? text.substring(0, 300) : text;
    }
}
