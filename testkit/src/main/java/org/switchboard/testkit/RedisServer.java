package org.switchboard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A real {@code redis-server} on a free port, with the append-only file on so that a restart keeps
 * acknowledged writes. It can be stopped and started again on the same port to test recovery.
 */
public final class RedisServer {

    /** The Linux binary inside the {@code com.github.codemonstur:embedded-redis} jar. */
    static final String EMBEDDED_BINARY = "redis-server-6.2.6-v5-linux-amd64";

    private final Path binary;
    private final Path dir;
    private final int port;
    private final List<String> options;
    private ManagedProcess process;

    RedisServer(Path binary, Path dir, int port, List<String> options) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
        this.options = List.copyOf(options);
    }

    static RedisServer create(Path dir) {
        return create(dir, List.of());
    }

    /** With these options on top of the usual ones (a cluster node's, for one). */
    static RedisServer create(Path dir, List<String> options) {
        return new RedisServer(locateBinary(dir), dir, FreePort.find(), options);
    }

    /** The system's {@code redis-server} when there is one, else the binary shipped in a Maven artifact. */
    static Path locateBinary(Path dir) {
        if (!Boolean.getBoolean("switchboard.redis.embedded")) {
            Optional<Path> system = Executables.onPath("redis-server");
            if (system.isPresent()) {
                return system.get();
            }
        }
        return extractEmbedded(dir);
    }

    private static Path extractEmbedded(Path dir) {
        try (var in = RedisServer.class.getClassLoader().getResourceAsStream(EMBEDDED_BINARY)) {
            if (in == null) {
                throw new IllegalStateException("no redis-server on PATH and no " + EMBEDDED_BINARY + " on the classpath");
            }
            Files.createDirectories(dir);
            var target = dir.resolve("redis-server");
            if (Files.isExecutable(target)) {
                return target; // copied by an earlier start in this folder (a server restarted, or a start that was given up)
            }
            Files.copy(in, target);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized RedisServer start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        var command = new ArrayList<>(List.of(binary.toString(),
                "--port", String.valueOf(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
                "--daemonize", "no", "--protected-mode", "yes"));
        command.addAll(options);
        process = ManagedProcess.start("redis", command, dir);
        FreePort.awaitListening(port, Duration.ofSeconds(20), process);
        return this;
    }

    /** A clean shutdown: Redis writes its append-only file and exits. */
    public synchronized void stop() {
        if (process != null) {
            process.stop();
            awaitPortFree();
            process = null;
        }
    }

    /** A crash: SIGKILL, nothing flushed beyond what the append-only file already holds. */
    public synchronized void kill() {
        if (process != null) {
            process.kill();
            awaitPortFree();
            process = null;
        }
    }

    private void awaitPortFree() {
        for (int i = 0; i < 200 && FreePort.isListening(port); i++) {
            FreePort.sleep(50);
        }
    }

    public int port() {
        return port;
    }

    /** The running server's process id. */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("the server on port " + port + " is not running");
        }
        return process.pid();
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }
}
