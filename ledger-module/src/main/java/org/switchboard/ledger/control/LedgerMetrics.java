package org.switchboard.ledger.control;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.function.IntSupplier;
import org.switchboard.ledger.entity.Transfer;
import org.switchboard.ledger.entity.TransferStatus;

/**
 * The ledger's meters on this node: the transfers its rounds decided, by outcome; its commits that
 * lost the race for the head to another round (decided again on the new head); its callers waiting
 * for a decision; how long a transfer took from its request to its decision; and the transfers
 * relayed to and from other nodes.
 */
public final class LedgerMetrics {

    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final MeterRegistry registry;
    private final Counter successful;
    private final Counter rejected;
    private final Counter conflicts;
    private final Timer decision;

    public LedgerMetrics(MeterRegistry registry) {
        this.registry = registry;
        successful = decided(TransferStatus.SUCCESSFUL);
        rejected = decided(TransferStatus.REJECTED);
        conflicts = Counter.builder("switchboard.ledger.commit.conflicts")
                .description("Commits of this node that lost the race for the head to another round, then decided again").register(registry);
        decision = Timer.builder("switchboard.ledger.decision").description("From a transfer's request to its decision, on this node")
                .serviceLevelObjectives(BUCKETS).register(registry);
    }

    /** Meters that go nowhere: for a ledger outside the application (tools, tests). */
    public static LedgerMetrics none() {
        return new LedgerMetrics(new SimpleMeterRegistry());
    }

    private Counter decided(TransferStatus outcome) {
        return Counter.builder("switchboard.ledger.decided").description("Transfers decided by this node's rounds")
                .tag("outcome", outcome.wire()).register(registry);
    }

    void waiting(IntSupplier callers) {
        Gauge.builder("switchboard.ledger.pending", callers::getAsInt)
                .description("Transfers this node's callers wait on to be decided").register(registry);
    }

    /** Transfers this node relayed to the deciding node and got answered, and those other nodes relayed here. */
    void relaying(Relay relay) {
        FunctionCounter.builder("switchboard.ledger.relayed", relay, r -> r.sent.get()).tag("direction", "sent")
                .description("Transfers relayed between this node and the deciding node, answered").register(registry);
        FunctionCounter.builder("switchboard.ledger.relayed", relay, r -> r.received.get()).tag("direction", "received")
                .description("Transfers relayed between this node and the deciding node, answered").register(registry);
    }

    void decided(Transfer transfer) {
        (transfer.status() == TransferStatus.SUCCESSFUL ? successful : rejected).increment();
    }

    void lostRace() {
        conflicts.increment();
    }

    void answered(long startNanos) {
        decision.record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
