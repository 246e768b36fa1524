package org.switchboard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
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
 * A real Redis Sentinel set on free loopback ports: a master, its replica, and three sentinels that
 * watch them (quorum 2) and promote the replica within seconds when the master goes.
 */
public final class RedisSentinel implements AutoCloseable {

    public static final String MASTER_NAME = "switchboard";
    static final int DOWN_AFTER_MILLIS = 2000;

    private final Path dir;
    private final RedisServer master;
    private final RedisServer replica;
    private final List<ManagedProcess> sentinels = new ArrayList<>();
    private final List<Integer> sentinelPorts = new ArrayList<>();

    private RedisSentinel(Path dir, RedisServer master, RedisServer replica) {
        this.dir = dir;
        this.master = master;
        this.replica = replica;
    }

    /** Starts a master, its replica and three sentinels; needs {@code redis-cli} (Debian's redis-tools), checked first. */
    public static RedisSentinel start(Path dir) {
        var cli = Executables.onPath("redis-cli");
        Prerequisite.require(cli.isPresent(), "redis-cli", "apt-get install redis-tools"); // before anything starts: a skip leaves nothing behind
        var master = RedisServer.create(dir.resolve("master"));
        var replica = RedisServer.create(dir.resolve("replica"), List.of("--replicaof", "127.0.0.1", String.valueOf(master.port())));
        var set = new RedisSentinel(dir, master, replica);
        try {
            master.start();
            replica.start();
            set.startSentinels();
            set.awaitReplica(Duration.ofSeconds(30));
            return set;
        } catch (RuntimeException | Error e) {
            set.close(); // a start given up halfway leaves nothing running
            throw e;
        }
    }

    private void startSentinels() {
        var binary = RedisServer.locateBinary(dir);
        for (int i = 0; i < 3; i++) {
            var port = FreePort.find();
            var home = dir.resolve("sentinel-" + i);
            try {
                Files.createDirectories(home);
                // a sentinel rewrites its configuration file as it learns: one file each
                Files.writeString(home.resolve("sentinel.conf"), String.join("\n",
                        "port " + port, "bind 127.0.0.1", "dir " + home,
                        "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 2",
                        "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MILLIS,
                        "sentinel failover-timeout " + MASTER_NAME + " 10000",
                        "sentinel parallel-syncs " + MASTER_NAME + " 1", ""));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            var process = ManagedProcess.start("sentinel", List.of(binary.toString(), home.resolve("sentinel.conf").toString(), "--sentinel"), home);
            sentinels.add(process);
            FreePort.awaitListening(port, Duration.ofSeconds(20), process);
            sentinelPorts.add(port);
        }
    }

    /** Until the replica has caught up with its master: before that, a failover would lose what it lacks. */
    private void awaitReplica(Duration within) {
        var cli = Executables.onPath("redis-cli").orElseThrow();
        var deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            var info = ManagedProcess.run(List.of(cli.toString(), "-p", String.valueOf(replica.port()), "info", "replication"), dir);
            if (info.contains("master_link_status:up")) {
                return;
            }
            FreePort.sleep(200);
        }
        throw new IllegalStateException("the replica did not catch up with its master within " + within);
    }

    /** {@code redis-sentinel://} with the three sentinels and the master's name, as {@code REDIS_URL} takes it. */
    public String url() {
        return "redis-sentinel://" + sentinelPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")) + "/" + MASTER_NAME;
    }

    /** A Redisson client (string codec) through the sentinels, reading from the master as the application does. */
    public RedissonClient redisson() {
        var config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        var servers = config.useSentinelServers().setMasterName(MASTER_NAME).setReadMode(ReadMode.MASTER).setCheckSentinelsList(false);
        sentinelPorts.forEach(p -> servers.addSentinelAddress("redis://127.0.0.1:" + p));
        return Redisson.create(config);
    }

    public RedisServer master() {
        return master;
    }

    public RedisServer replica() {
        return replica;
    }

    @Override
    public void close() {
        sentinels.forEach(ManagedProcess::kill);
        replica.kill();
        master.kill();
    }
}
