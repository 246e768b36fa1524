package org.switchboard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * PouchDB Server, the CouchDB-API server used here in place of Apache CouchDB, installed by
 * {@code ./test} from {@code tools/pouchdb-server} and started in memory on a free port.
 */
public final class PouchDbServer {

    private final Path dir;
    private final int port;
    private ManagedProcess process;

    private PouchDbServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    static PouchDbServer create(Path dir) {
        return new PouchDbServer(dir, FreePort.find());
    }

    static Path launcher() {
        var explicit = System.getProperty("switchboard.pouchdb.bin", System.getenv("POUCHDB_SERVER_BIN"));
        if (explicit != null) {
            return Path.of(explicit);
        }
        var root = Path.of(System.getProperty("switchboard.root", "."));
        var bin = root.resolve("tools/pouchdb-server/node_modules/.bin/pouchdb-server");
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException("PouchDB Server is not installed at " + bin
                    + ": run ./test (it installs it), or: npm ci --ignore-scripts --prefix tools/pouchdb-server");
        }
        return bin;
    }

    public synchronized PouchDbServer start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), "{\"log\":{\"level\":\"error\"}}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        process = ManagedProcess.start("pouchdb-server", List.of(launcher().toString(),
                "-p", String.valueOf(port), "-o", "127.0.0.1", "-d", dir.toString(),
                "-c", dir.resolve("config.json").toString(), "-n", "-m"), dir);
        awaitHttp();
        return this;
    }

    private void awaitHttp() {
        var client = HttpClient.newHttpClient();
        var deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("pouchdb-server exited:\n" + process.output());
            }
            try {
                var response = client.send(HttpRequest.newBuilder(URI.create(url() + "/")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            FreePort.sleep(100);
        }
        throw new IllegalStateException("pouchdb-server did not answer on " + url() + ":\n" + process.output());
    }

    public synchronized void stop() {
        if (process != null) {
            process.stop();
            process = null;
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }
}
