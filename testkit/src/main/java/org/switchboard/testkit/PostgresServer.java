package org.switchboard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL cluster: {@code initdb} into a temporary folder, then {@code pg_ctl start}
 * on a free port, unix socket in the same folder. PostgreSQL refuses to run as root, so as root it
 * runs as the {@code postgres} user that the Debian package creates.
 */
public final class PostgresServer {

    public static final String USER = "switchboard";

    private final Path bin;
    private final Path dir;
    private final int port;
    private boolean started;

    private PostgresServer(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    static Optional<PostgresServer> create(Path dir) {
        return binDir().map(bin -> new PostgresServer(bin, dir, FreePort.find()));
    }

    /** The newest {@code /usr/lib/postgresql/N/bin} with {@code initdb}, or one named by PG_BIN. */
    static Optional<Path> binDir() {
        var explicit = System.getenv("PG_BIN");
        if (explicit != null) {
            return Optional.of(Path.of(explicit)).filter(p -> Files.isExecutable(p.resolve("initdb")));
        }
        var root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(PostgresServer::majorVersion));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public synchronized PostgresServer start() {
        if (started) {
            return this;
        }
        var data = dir.resolve("pgdata");
        try {
            Files.createDirectories(dir);
            asServerUser(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!Files.isDirectory(data)) { // a restart after stop() keeps the data
            ManagedProcess.run(command(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER,
                    "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"), dir);
        }
        ManagedProcess.run(command(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60",
                "-l", dir.resolve("postgres.log").toString(),
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
                "start"), dir);
        FreePort.awaitListening(port, Duration.ofSeconds(30), null);
        started = true;
        return this;
    }

    public synchronized void stop() {
        if (started) {
            ManagedProcess.run(command(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("pgdata").toString(),
                    "-m", "fast", "-w", "stop"), dir);
            started = false;
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public String user() {
        return USER;
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static List<String> command(String... args) {
        var command = new ArrayList<String>();
        if (isRoot()) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.addAll(List.of(args));
        return command;
    }

    private static void asServerUser(Path dir) throws IOException {
        if (isRoot()) {
            ManagedProcess.run(List.of("chown", "-R", "postgres:postgres", dir.toString()), dir.getParent());
        }
    }
}
