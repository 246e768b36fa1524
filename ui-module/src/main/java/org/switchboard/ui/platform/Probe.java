package org.switchboard.ui.platform;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.switchboard.ui.platform.Components.ComponentStatus;

/**
 * Runs one readiness check with a deadline, so that a server that hangs rather than refuses makes
 * {@code /health/ready} answer "down" quickly instead of hanging too.
 */
final class Probe {

    static final long TIMEOUT_MILLIS = 3000;

    /**
     * A virtual thread per blocking check. Not the container's managed executor: it runs tasks in
     * the caller's context, and {@code /health} is served by Payara's own web module, which the
     * executor refuses to run tasks for when the application has its own context root.
     */
    private static final ExecutorService BLOCKING = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("switchboard-probe-", 0).factory());

    private Probe() {
    }

    /** A blocking check, run on a virtual thread: it answers a short description of the server, or throws. */
    static ComponentStatus run(String name, Callable<String> check) {
        return await(name, () -> CompletableFuture.supplyAsync(() -> call(check), BLOCKING));
    }

    /** An asynchronous check: its future completes with a short description of the server. */
    static ComponentStatus await(String name, Supplier<CompletableFuture<String>> check) {
        try {
            return new ComponentStatus(name, true, check.get().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return new ComponentStatus(name, false, "no answer within " + TIMEOUT_MILLIS + " ms");
        } catch (ExecutionException e) {
            return new ComponentStatus(name, false, describe(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ComponentStatus(name, false, "interrupted");
        } catch (RuntimeException e) {
            return new ComponentStatus(name, false, describe(e));
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
