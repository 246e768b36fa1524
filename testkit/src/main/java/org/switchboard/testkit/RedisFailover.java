package org.switchboard.testkit;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.redisson.api.RedissonClient;

/**
 * A replicated Redis topology whose master can be killed, for a failover test to run on each: the
 * Redis Cluster (the master of a key's slot goes) and the Sentinel set (its one master goes, and the
 * sentinels promote the replica). Each is this JVM's shared one, so a JVM runs one failover of each.
 */
public record RedisFailover(String name, Supplier<RedissonClient> client, Consumer<String> killer) {

    /** A Redisson client of its own on the topology, reading from the masters; the caller shuts it down. */
    public RedissonClient redisson() {
        return client.get();
    }

    /** Kills (SIGKILL) the master that holds {@code key} now. */
    public void killMasterOf(String key) {
        killer.accept(key);
    }

    @Override
    public String toString() {
        return name;
    }

    /** Both topologies, for a parameterised test. */
    public static List<RedisFailover> both() {
        return List.of(
                new RedisFailover("Redis Cluster", () -> TestServers.redisCluster().redisson(),
                        key -> TestServers.redisCluster().masterOf(key).kill()),
                new RedisFailover("Redis Sentinel", () -> TestServers.redisSentinel().redisson(),
                        key -> TestServers.redisSentinel().master().kill()));
    }
}
