package org.switchboard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * The servers of one test JVM, started on first use and shared by its tests. Each test isolates
 * itself by key prefix or database name rather than by server, which keeps a run fast.
 */
public final class TestServers {

    private static Path baseDir;
    private static RedisServer redis;
    private static RedissonClient redisson;
    private static RedisCluster redisCluster;
    private static RedisSentinel redisSentinel;
    private static PouchDbServer pouchDb;
    private static CouchDbCluster couchDbCluster;
    private static PostgresServer postgres;
    private static boolean postgresLookedUp;

    private TestServers() {
    }

    public static synchronized RedisServer redis() {
        if (redis == null) {
            redis = RedisServer.create(dir("redis")).start();
        }
        return redis;
    }

    /**
     * A redis-server of its own, fresh and on a free port, with the same settings as {@link #redis()}:
     * for a benchmark run that must not inherit another's data. The caller stops it.
     */
    public static synchronized RedisServer newRedis() {
        return RedisServer.create(tempDir("redis-")).start();
    }

    /**
     * The Redis topology this JVM's Redis tests run on: {@code single} (the default), {@code cluster}
     * or {@code sentinel} (system property {@code switchboard.test.redis}, set by a module's further
     * test runs of its Redis contract tests).
     */
    public static String redisTopology() {
        return System.getProperty("switchboard.test.redis", "single");
    }

    /** The Redis Sentinel set of this JVM's tests, started at the first call. */
    public static synchronized RedisSentinel redisSentinel() {
        if (redisSentinel == null) {
            // not "redis-sentinel": Redis 6 runs as a sentinel when its program's path holds that name,
            // and the shipped binary (used when the system has none) is copied under this folder
            redisSentinel = RedisSentinel.start(dir("sentinel-set"));
        }
        return redisSentinel;
    }

    /** The Redis Cluster of this JVM's tests, started at the first call. */
    public static synchronized RedisCluster redisCluster() {
        if (redisCluster == null) {
            redisCluster = RedisCluster.start(dir("redis-cluster"));
        }
        return redisCluster;
    }

    /**
     * A Redisson client (string codec) on the topology of {@link #redisTopology()}: {@link #redis()},
     * {@link #redisCluster()} or {@link #redisSentinel()}; shared by the JVM's tests; it reconnects when Redis is restarted.
     */
    public static synchronized RedissonClient redisson() {
        if (redisson == null && "cluster".equals(redisTopology())) {
            redisson = redisCluster().redisson();
        }
        if (redisson == null && "sentinel".equals(redisTopology())) {
            redisson = redisSentinel().redisson();
        }
        if (redisson == null) {
            var config = new Config();
            config.setCodec(StringCodec.INSTANCE);
            config.useSingleServer().setAddress(redis().url());
            redisson = Redisson.create(config);
        }
        return redisson;
    }

    /**
     * The CouchDB-API server of this JVM's tests: the external one named by
     * {@code SWITCHBOARD_TEST_COUCHDB_URL} when it is set, else the cluster the harness starts from
     * {@code SWITCHBOARD_TEST_COUCHDB_RELEASE} when that is set, else {@link #pouchDb()}.
     */
    public static synchronized CouchDbServer couchDb() {
        var external = CouchDbServer.fromEnvironment();
        if (external != null) {
            return external;
        }
        return couchDbCluster().map(CouchDbCluster::server).orElseGet(() -> new CouchDbServer(pouchDb().url(), null, null, false));
    }

    /**
     * The three-node Apache CouchDB cluster started from {@code SWITCHBOARD_TEST_COUCHDB_RELEASE}, shared
     * by the JVM's tests; empty when that is not set, or when {@code SWITCHBOARD_TEST_COUCHDB_URL} names
     * a server the harness does not own.
     */
    public static synchronized Optional<CouchDbCluster> couchDbCluster() {
        if (CouchDbServer.fromEnvironment() != null) {
            return Optional.empty();
        }
        if (couchDbCluster == null) {
            var release = CouchDbCluster.releaseFromEnvironment();
            if (release == null) {
                return Optional.empty();
            }
            couchDbCluster = CouchDbCluster.start(release, dir("couchdb"));
        }
        return Optional.of(couchDbCluster);
    }

    public static synchronized PouchDbServer pouchDb() {
        if (pouchDb == null) {
            pouchDb = PouchDbServer.create(dir("pouchdb")).start();
        }
        return pouchDb;
    }

    /** PostgreSQL when it is installed, started on first use; empty when it is not. */
    public static synchronized Optional<PostgresServer> postgres() {
        if (!postgresLookedUp) {
            postgresLookedUp = true;
            postgres = PostgresServer.create(dir("postgres")).map(PostgresServer::start).orElse(null);
        }
        return Optional.ofNullable(postgres);
    }

    /** PostgreSQL, or a skipped test (a failed one when CI=true) when it is not installed. */
    public static PostgresServer requirePostgres() {
        var server = postgres();
        Prerequisite.require(server.isPresent(), "PostgreSQL",
                "apt-get install postgresql, or set PG_BIN to the folder holding initdb and pg_ctl");
        return server.orElseThrow();
    }

    public static synchronized void stopAll() {
        if (redisson != null) {
            redisson.shutdown();
            redisson = null;
        }
        if (redis != null) {
            redis.stop();
            redis = null;
        }
        if (redisCluster != null) {
            redisCluster.close();
            redisCluster = null;
        }
        if (redisSentinel != null) {
            redisSentinel.close();
            redisSentinel = null;
        }
        if (pouchDb != null) {
            pouchDb.stop();
            pouchDb = null;
        }
        if (couchDbCluster != null) {
            couchDbCluster.stop();
            couchDbCluster = null;
        }
        if (postgres != null) {
            postgres.stop();
            postgres = null;
        }
        postgresLookedUp = false;
        if (baseDir != null) {
            deleteTree(baseDir);
            baseDir = null;
        }
    }

    /** A fresh folder for this test JVM, removed with the servers when the session closes. */
    public static synchronized Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(dir("tmp"), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized Path dir(String name) {
        try {
            if (baseDir == null) {
                // readable by others: PostgreSQL runs as its own user when the tests run as root
                baseDir = Files.createTempDirectory("switchboard-test-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            }
            return Files.createDirectories(baseDir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp folder left behind is not worth failing a run for
        }
    }
}
