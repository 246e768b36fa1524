package org.switchboard.chat.control;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.redisson.api.RMapCache;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Who is connected to a room: one lease per connection in a Redis map whose entries expire on their
 * own ({@code RMapCache}). This node renews the leases of its open connections every third of the
 * lease; a connection that closes drops its lease, and one whose node died expires with it.
 */
public class Presence implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Presence.class.getName());

    private final RedissonClient redis;
    private final ChatKeys keys;
    private final Duration lease;
    private final ConcurrentHashMap<String, Lease> mine = new ConcurrentHashMap<>();
    private final ScheduledExecutorService renewer;

    public Presence(RedissonClient redis, ChatKeys keys, Duration lease) {
        this.redis = redis;
        this.keys = keys;
        this.lease = lease;
        this.renewer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("chat-presence").factory());
        var every = Math.max(1, lease.toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renewAll, every, every, TimeUnit.MILLISECONDS);
    }

    /** Takes a lease for {@code name} in {@code room}; close it when the connection ends. */
    public AutoCloseable enter(String room, String name) {
        var id = UUID.randomUUID().toString();
        var entry = new Lease(room, name);
        map(room).fastPut(id, name, lease.toMillis(), TimeUnit.MILLISECONDS); // present as soon as this returns
        mine.put(id, entry);
        return () -> {
            if (mine.remove(id) != null) {
                try {
                    map(room).fastRemove(id);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, "A presence lease was not released; it expires on its own", e);
                }
            }
        };
    }

    /** The names connected to {@code room}, sorted, each once. */
    public List<String> present(String room) {
        return map(room).readAllValues().stream().distinct().sorted(String.CASE_INSENSITIVE_ORDER).toList();
    }

    private void renewAll() {
        mine.forEach(this::renew);
    }

    private void renew(String id, Lease entry) {
        map(entry.room).fastPutAsync(id, entry.name, lease.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.log(System.Logger.Level.DEBUG, "A presence lease was not renewed (Redis unreachable?)", failure);
            }
        });
    }

    private RMapCache<String, String> map(String room) {
        return redis.getMapCache(keys.presence(room), StringCodec.INSTANCE);
    }

    @Override
    public void close() {
        renewer.shutdownNow();
    }

    private record Lease(String room, String name) {
    }
}
