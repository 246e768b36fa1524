package org.switchboard.testkit;

import java.util.List;
import org.redisson.api.RedissonClient;

/**
 * A replicated Redis topology whose master can be killed, for a failover test to run on each: the
 * Redis Cluster (the master of a key's slot goes) and the Sentinel set (its one master goes, and the
 * sentinels promote the replica). Each is this JVM's shared one, so a JVM runs one failover of each.
 */
public interface RedisFailover {

    /** A Redisson client of its own on the topology, reading from the masters; the caller shuts it down. */
    RedissonClient redisson();

    /** Kills (SIGKILL) the master that holds {@code key} now. */
    void killMasterOf(String key);

    /** Both topologies, for a parameterised test. */
    static List<RedisFailover> both() {
        return List.of(new OnCluster(), new OnSentinel());
    }

    final class OnCluster implements RedisFailover {
        @Override
        public RedissonClient redisson() {
            return TestServers.redisCluster().redisson();
        }

        @Override
        public void killMasterOf(String key) {
            TestServers.redisCluster().masterOf(key).kill();
        }

        @Override
        public String toString() {
            return "Redis Cluster";
        }
    }

    final class OnSentinel implements RedisFailover {
        @Override
        public RedissonClient redisson() {
            return TestServers.redisSentinel().redisson();
        }

        @Override
        public void killMasterOf(String key) {
            TestServers.redisSentinel().master().kill();
        }

        @Override
        public String toString() {
            return "Redis Sentinel";
        }
    }
}
