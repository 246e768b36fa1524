package org.switchboard.chat.control;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.function.IntSupplier;
import org.switchboard.chat.entity.ChatMessage;

/**
 * The chat's meters on this node: messages posted through it; its readers; the lag from a message's
 * post to its delivery to a reader (once per delivery, for its newest message, so that the cost does
 * not grow with the messages); messages a room's tail read from SQL because the channel lost or
 * delayed them (gaps); and messages the channel brought twice, dropped.
 */
public final class ChatMetrics {

    private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final MeterRegistry registry;
    private final Counter posted;
    private final Counter gaps;
    private final Counter duplicates;
    private final Timer lag;

    public ChatMetrics(MeterRegistry registry) {
        this.registry = registry;
        posted = Counter.builder("switchboard.chat.messages.posted").description("Messages posted through this node").register(registry);
        gaps = Counter.builder("switchboard.chat.gap.messages")
                .description("Messages this node's rooms read from SQL because the channel lost or delayed them").register(registry);
        duplicates = Counter.builder("switchboard.chat.duplicates.dropped")
                .description("Messages the channel brought that a room already had (again, or read from SQL first), dropped").register(registry);
        lag = Timer.builder("switchboard.chat.delivery.lag").description("From a message's post to its delivery to a reader of this node")
                .serviceLevelObjectives(BUCKETS).register(registry);
    }

    /** Meters that go nowhere: for the rooms outside the application (tests). */
    public static ChatMetrics none() {
        return new ChatMetrics(new SimpleMeterRegistry());
    }

    public void readers(IntSupplier readers) {
        Gauge.builder("switchboard.chat.readers", readers::getAsInt).description("Readers this node streams to").register(registry);
    }

    public void posted() {
        posted.increment();
    }

    void gap(int messages) {
        gaps.increment(messages);
    }

    void duplicate() {
        duplicates.increment();
    }

    void delivered(ChatMessage newest) {
        var since = Duration.between(newest.postedAt(), LocalDateTime.now(ZoneOffset.UTC));
        lag.record(since.isNegative() ? Duration.ZERO : since);
    }
}
