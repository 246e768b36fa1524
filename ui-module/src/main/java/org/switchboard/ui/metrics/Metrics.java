package org.switchboard.ui.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.switchboard.ui.platform.Components;

/**
 * The node's one meter registry, exported at {@code /metrics} in the Prometheus text format. The
 * pattern modules record into it through Micrometer's API ({@link MeterRegistry}, produced here);
 * this class adds the JVM's meters and each server's health ({@code switchboard_server_up}).
 */
@ApplicationScoped
public class Metrics {

    /** How long one round of the readiness checks answers the servers' gauges: one scrape reads them all. */
    private static final long HEALTH_TTL_NANOS = 2_000_000_000L;
    static final List<String> SERVERS = List.of("redis", "couchdb", "database");

    @Inject
    Components components;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private JvmGcMetrics gc;
    private final AtomicReference<Health> health = new AtomicReference<>(new Health(0, Map.of()));

    private record Health(long at, Map<String, Boolean> up) {
    }

    @PostConstruct
    void bind() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        for (var server : SERVERS) {
            Gauge.builder("switchboard.server.up", this, m -> m.up(server) ? 1 : 0)
                    .tag("server", server).description("Whether the server answers this node's readiness check (1) or not (0)")
                    .register(registry);
        }
    }

    @PreDestroy
    void close() {
        gc.close();
        registry.close();
    }

    @Produces
    MeterRegistry registry() {
        return registry;
    }

    PrometheusMeterRegistry prometheus() {
        return registry;
    }

    private boolean up(String server) {
        var known = health.get();
        if (System.nanoTime() - known.at() > HEALTH_TTL_NANOS || known.at() == 0) {
            known = new Health(System.nanoTime(), components.statuses().stream()
                    .collect(Collectors.toMap(Components.ComponentStatus::name, Components.ComponentStatus::up, (a, b) -> a && b)));
            health.set(known);
        }
        return known.up().getOrDefault(server, false);
    }
}
