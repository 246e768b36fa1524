package org.switchboard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
        try {
            for (int i = 0; i < 6; i++) {
                // a replica that joined moments ago has had little contact with its master; with the
                // default validity factor it would refuse to take over from it
                var node = RedisServer.create(dir.resolve("node-" + i), List.of("--cluster-enabled", "yes",
                        "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", String.valueOf(NODE_TIMEOUT_MILLIS),
                        "--cluster-replica-validity-factor", "0"));
                cluster.nodes.add(node);
                node.start();
            }
            var create = new ArrayList<>(List.of(cli.get().toString(), "--cluster", "create"));
            cluster.nodes.forEach(n -> create.add("127.0.0.1:" + n.port()));
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            ManagedProcess.run(create, dir);
            cluster.awaitState(Duration.ofSeconds(30));
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close(); // a start given up halfway leaves nothing running
            throw e;
        }
    }

    private void awaitState(Duration within) {
        var deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            // and every replica has synchronised with its master: until then a failover loses what it lacks
            var ok = nodes.stream().allMatch(n -> cli(n, "cluster", "info").contains("cluster_state:ok")
                    && synchronised(cli(n, "info", "replication")));
            if (ok) {
                return;
            }
            FreePort.sleep(200);
        }
        throw new IllegalStateException("the Redis Cluster did not reach cluster_state:ok within " + within);
    }

    private static boolean synchronised(String replication) {
        return replication.contains("role:master") || replication.contains("master_link_status:up");
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

    /**
     * The node that is the master of {@code key}'s slot now, from {@code CLUSTER NODES} as a live node
     * reports it (a failover moves it to the promoted replica).
     */
    public RedisServer masterOf(String key) {
        var live = nodes.stream().filter(n -> FreePort.isListening(n.port())).findFirst().orElseThrow();
        var slot = Integer.parseInt(cli(live, "cluster", "keyslot", key).strip());
        for (var line : cli(live, "cluster", "nodes").split("\n")) {
            var fields = line.strip().split(" ");
            if (fields.length < 9 || !fields[2].contains("master") || fields[2].contains("fail")) {
                continue;
            }
            var port = Integer.parseInt(fields[1].replaceAll("^.*:(\\d+)@.*$", "$1"));
            for (int i = 8; i < fields.length; i++) {
                var range = fields[i].split("-");
                if (range[0].startsWith("[")) {
                    continue; // a slot being migrated
                }
                var from = Integer.parseInt(range[0]);
                var to = range.length > 1 ? Integer.parseInt(range[1]) : from;
                if (slot >= from && slot <= to) {
                    return nodes.stream().filter(n -> n.port() == port).findFirst().orElseThrow();
                }
            }
        }
        throw new IllegalStateException("no live master serves slot " + slot);
    }

    /** What {@code redis-cli} answers this node, for this command. */
    private static String cli(RedisServer node, String... command) {
        var line = new ArrayList<>(List.of(Executables.onPath("redis-cli").orElseThrow().toString(), "-p", String.valueOf(node.port())));
        line.addAll(List.of(command));
        try {
            var process = new ProcessBuilder(line).redirectErrorStream(true).start();
            var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", line) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public List<RedisServer> nodes() {
        return List.copyOf(nodes);
    }

    @Override
    public void close() {
        nodes.forEach(RedisServer::kill);
    }
}
