package org.switchboard.ui.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.switchboard.jobs.boundary.JobQueues;
import org.switchboard.ui.api.OpenStreams;

/**
 * A node that stops, stops well. Payara Micro, asked to stop (SIGTERM), keeps serving for its
 * shutdown grace ({@code --shutdowngrace}, in the system property {@code fish.payara.shutdowngrace})
 * and only then takes the application down. Within that grace, this node:
 * <ol>
 * <li>reports itself not ready ({@code /health/ready} DOWN), so that load balancers stop sending to it;</li>
 * <li>tells its event streams to reconnect (SSE {@code retry}, then closed) and answers its long
 * polls at once, so that their clients come back through the load balancer, to another node;</li>
 * <li>takes no new job (its workers finish the ones they run, within the grace as a rule);</li>
 * <li>serves what still comes for {@code switchboard.shutdown.notice-seconds} (the balancers'
 * time to notice), then waits for the requests under way to finish;</li>
 * <li>closes its HTTP listener, so that what comes later is refused rather than answered by a
 * container that is taking the application down.</li>
 * </ol>
 * All of it within the grace, less a second for the closing.
 */
@ApplicationScoped
public class Drain {


    @Inject
    OpenStreams streams;

    @Inject
    JobQueues jobs;

    @Inject
    @ConfigProperty(name = "switchboard.shutdown.notice-seconds", defaultValue = "5")
    int noticeSeconds;

    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean draining;

    /** A request began: counted until {@link #ended()}. */
    public void started() {
        active.incrementAndGet();
    }

    public void ended() {
        active.decrementAndGet();
    }

    /** Requests under way on this node, event streams and long polls included. */
    public int active() {
        return active.get();
    }

    public boolean draining() {
        return draining;
    }

    /** The grace Payara Micro gives the application before taking it down. */
    static Duration grace() {
        return Duration.ofMillis(Long.getLong("fish.payara.shutdowngrace", 0));
    }

    /** Runs the steps above; {@code closeListener} is the last. Answers how long it took. */
    Duration run(Runnable closeListener) {
        var start = System.nanoTime();
        var budget = grace().minusSeconds(1);
        var deadline = start + Math.max(0, budget.toNanos());
        draining = true;
        say("not ready; event streams told to reconnect; " + active.get() + " request(s) under way; "
                + Math.max(0, budget.toMillis()) + " ms to drain");
        streams.drain();
        jobs.drain();
        sleepUntil(Math.min(deadline, start + Duration.ofSeconds(noticeSeconds).toNanos()), () -> false);
        sleepUntil(deadline, () -> active.get() <= 0);
        var left = active.get();
        closeListener.run();
        var took = Duration.ofNanos(System.nanoTime() - start);
        say("the HTTP listener is closed after " + took.toMillis() + " ms, with " + left + " request(s) still under way");
        return took;
    }

    /**
     * To the process's standard error, which the server keeps in its log: the JVM's logging closes its
     * handlers as the JVM begins to stop, before this runs.
     */
    static void say(String message) {
        System.err.println("Switchboard is stopping: " + message);
    }

    private static void sleepUntil(long deadline, BooleanSupplier done) {
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(Math.max(1, Math.min(50, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
