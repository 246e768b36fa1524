package org.switchboard.ui.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The few figures the admin home page shows, read from this node's meters (the same as
 * {@code /metrics}), so that the page and Prometheus never disagree.
 */
@ApplicationScoped
public class Headlines {

    @Inject
    MeterRegistry registry;

    /** One figure: what it is, and its value as shown. */
    public record Figure(String id, String label, String value) {
    }

    public List<Figure> figures() {
        return List.of(
                new Figure("requests", "Requests answered by this node", whole(count("http.server.requests"))),
                new Figure("server-errors", "Of which 5xx", whole(count("http.server.requests", Tag.of("outcome", "SERVER_ERROR")))),
                new Figure("jobs-waiting", "Jobs waiting, all queues", whole(sum("switchboard.jobs.waiting"))),
                new Figure("jobs-dead", "Dead jobs, all queues", whole(sum("switchboard.jobs.dead"))),
                new Figure("jobs-processed", "Jobs this node processed", whole(sum("switchboard.jobs.processed"))),
                new Figure("jobs-failed", "Failed attempts on this node", whole(sum("switchboard.jobs.failed"))),
                new Figure("chat-readers", "Chat readers on this node", whole(sum("switchboard.chat.readers"))),
                new Figure("board-watchers", "Board watchers on this node", whole(sum("switchboard.boards.watchers"))),
                new Figure("transfers-successful", "Transfers this node decided successful",
                        whole(sum("switchboard.ledger.decided", Tag.of("outcome", "successful")))),
                new Figure("transfers-rejected", "Transfers this node decided rejected",
                        whole(sum("switchboard.ledger.decided", Tag.of("outcome", "rejected")))),
                new Figure("decision-mean", "Mean time to a ledger decision", millis(meanMillis("switchboard.ledger.decision"))));
    }

    private double sum(String name, Tag... tags) {
        return registry.find(name).tags(List.of(tags)).meters().stream().mapToDouble(Headlines::value).sum();
    }

    private double count(String name, Tag... tags) {
        return registry.find(name).tags(List.of(tags)).timers().stream().mapToDouble(Timer::count).sum();
    }

    private double meanMillis(String name) {
        var timers = registry.find(name).timers();
        var count = timers.stream().mapToLong(Timer::count).sum();
        return count == 0 ? Double.NaN : timers.stream().mapToDouble(t -> t.totalTime(TimeUnit.MILLISECONDS)).sum() / count;
    }

    private static double value(Meter meter) {
        return switch (meter) {
            case Counter c -> c.count();
            case Gauge g -> g.value();
            default -> 0;
        };
    }

    private static String whole(double value) {
        return String.format("%,d", Math.round(value));
    }

    private static String millis(double value) {
        return Double.isNaN(value) ? "none yet" : String.format("%.1f ms", value);
    }
}
