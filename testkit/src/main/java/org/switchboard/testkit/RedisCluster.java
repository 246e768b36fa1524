package org.switchboard.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;

/**
 * A real Redis Cluster of six {@code redis-server} processes on free loopback ports: three masters,
 * each with a replica, made with {@code redis-cli --cluster create}, with a short node timeout so
 * that a killed master's replica takes over within seconds.
 */
public final class RedisCluster implements AutoCloseable {

    static final int NODE_TIMEOUT_MILLIS = 2000;

    private final List<RedisServer> nodes = new ArrayList<>();
    private final Path dir;

    private RedisCluster(Path dir) {
        this.dir = dir;
    }

    /** Starts the six nodes and joins them; needs {@code redis-cli} (Debian's redis-tools). */
    public static RedisCluster start(Path dir) {
        var cli = Executables.onPath("redis-cli");
        Prerequisite.require(cli.isPresent(), "redis-cli", "apt-get install redis-tools");
        var cluster = new RedisCluster(dir);
        for (int i = 0; i < 6; i++) {
            cluster.nodes.add(RedisServer.create(dir.resolve("node-" + i), List.of("--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", String.valueOf(NODE_TIMEOUT_MILLIS))).start());
        }
        var create = new ArrayList<>(List.of(cli.get().toString(), "--cluster", "create"));
        cluster.nodes.forEach(n -> create.add("127.0.0.1:" + n.port()));
        create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        ManagedProcess.run(create, dir);
        cluster.awaitState(cli.get(), Duration.ofSeconds(30));
        return cluster;
    }

    private void awaitState(Path cli, Duration within) {
        var deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            var ok = nodes.stream().allMatch(n -> ManagedProcess.run(List.of(cli.toString(), "-p", String.valueOf(n.port()), "cluster", "info"),
                    dir).contains("cluster_state:ok"));
            if (ok) {
                return;
            }
            FreePort.sleep(200);
        }
        throw new IllegalStateException("the Redis Cluster did not reach cluster_state:ok within " + within);
    }

    /** {@code redis-cluster://} with every node, as {@code REDIS_URL} takes it. */
    public String url() {
        return "redis-cluster://" + nodes.stream().map(n -> "127.0.0.1:" + n.port()).collect(Collectors.joining(","));
    }

    /** A Redisson client (string codec) on the cluster, reading from the masters as the application does. */
    public RedissonClient redisson() {
        var config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        var servers = config.useClusterServers().setReadMode(ReadMode.MASTER);
        nodes.forEach(n -> servers.addNodeAddress(n.url()));
        return Redisson.create(config);
    }

    public List<RedisServer> nodes() {
        return List.copyOf(nodes);
    }

    @Override
    public void close() {
        nodes.forEach(RedisServer::kill);
    }
}
