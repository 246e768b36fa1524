package org.switchboard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A three-node Apache CouchDB cluster on loopback ports, started by the harness from a CouchDB
 * release the developer built ({@code SWITCHBOARD_TEST_COUCHDB_RELEASE}: the folder holding
 * {@code bin/couchdb}). Apache CouchDB is not in the package registries this project installs from,
 * so the harness never builds or fetches it; without the setting, the tests that need a cluster are
 * skipped.
 *
 * <p>The nodes share the release and keep their data, configuration and Erlang port mapper in this
 * run's temp folder: a private {@code epmd} on a free port, so nothing outlives {@link #stop()}.
 * Each node gets {@code n = 3}: every document on every node. A node can be killed (SIGKILL) and
 * started again on the same ports and data, as a crash and a restart would.
 */
public final class CouchDbCluster {

    public static final String ADMIN = "admin";
    private static final int NODES = 3;

    private final Path release;
    private final Path dir;
    private final String password = UUID.randomUUID().toString();
    private final String cookie = UUID.randomUUID().toString().replace("-", "");
    private final int epmdPort = FreePort.find();
    private final int[] httpPorts = new int[NODES];
    private final int[] distPorts = new int[NODES];
    private final ManagedProcess[] nodes = new ManagedProcess[NODES];
    private ManagedProcess epmd;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private CouchDbCluster(Path release, Path dir) {
        this.release = release;
        this.dir = dir;
        for (int i = 0; i < NODES; i++) {
            httpPorts[i] = FreePort.find();
            distPorts[i] = FreePort.find();
        }
    }

    /** The release named by {@code SWITCHBOARD_TEST_COUCHDB_RELEASE}, if any. */
    static Path releaseFromEnvironment() {
        var path = System.getenv("SWITCHBOARD_TEST_COUCHDB_RELEASE");
        if (path == null || path.isBlank()) {
            return null;
        }
        var release = Path.of(path);
        if (!Files.isExecutable(release.resolve("bin/couchdb"))) {
            throw new IllegalStateException("SWITCHBOARD_TEST_COUCHDB_RELEASE=" + path + " holds no bin/couchdb");
        }
        return release;
    }

    static CouchDbCluster start(Path release, Path dir) {
        var cluster = new CouchDbCluster(release, dir);
        try {
            cluster.startAll();
        } catch (RuntimeException e) {
            cluster.stop();
            throw e;
        }
        return cluster;
    }

    /** The cluster as the tests see it: its three coordinators, with the admin's login. */
    public CouchDbServer server() {
        var urls = new ArrayList<String>();
        for (int port : httpPorts) {
            urls.add("http://127.0.0.1:" + port);
        }
        return new CouchDbServer(String.join(",", urls), ADMIN, password, true);
    }

    public int size() {
        return NODES;
    }

    /** SIGKILL of node {@code i} (0, 1 or 2): no shutdown work happens. */
    public synchronized void kill(int i) {
        nodes[i].kill();
    }

    /** Starts node {@code i} again on its ports and data, and waits until it serves requests. */
    public synchronized void restart(int i) {
        if (nodes[i] != null && nodes[i].isAlive()) {
            return;
        }
        startNode(i);
        awaitUp(i, Duration.ofSeconds(60));
    }

    private void startAll() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        epmd = ManagedProcess.start("epmd", List.of(erts().resolve("bin/epmd").toString(),
                "-port", String.valueOf(epmdPort), "-address", "127.0.0.1"), dir);
        FreePort.awaitListening(epmdPort, Duration.ofSeconds(10), epmd);
        for (int i = 0; i < NODES; i++) {
            writeConfig(i);
            startNode(i);
        }
        for (int i = 0; i < NODES; i++) {
            awaitUp(i, Duration.ofSeconds(90));
        }
        for (int i = 1; i < NODES; i++) {
            expect(call("PUT", 0, "/_node/_local/_nodes/" + nodeName(i), "{}"), 201, 202, 409);
        }
        var deadline = Instant.now().plusSeconds(60);
        while (!allJoined()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the CouchDB nodes did not form one cluster: " + call("GET", 0, "/_membership", null).body());
            }
            sleep(200);
        }
        for (var system : List.of("_users", "_replicator")) {
            expect(call("PUT", 0, "/" + system, null), 201, 202, 412);
        }
    }

    private boolean allJoined() {
        for (int i = 0; i < NODES; i++) {
            var membership = call("GET", i, "/_membership", null).body();
            var cluster = membership.substring(Math.max(0, membership.indexOf("\"cluster_nodes\"")));
            for (int j = 0; j < NODES; j++) {
                if (!cluster.contains(nodeName(j))) {
                    return false;
                }
            }
        }
        return true;
    }

    private Path erts() {
        try (var entries = Files.list(release)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("erts-")).findFirst()
                    .orElseThrow(() -> new IllegalStateException(release + " holds no erts-* folder"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String nodeName(int i) {
        return "n" + (i + 1) + "@127.0.0.1";
    }

    private Path nodeDir(int i) {
        return dir.resolve("n" + (i + 1));
    }

    private void writeConfig(int i) {
        var node = nodeDir(i);
        var random = new java.security.SecureRandom();
        var uuid = new byte[16];
        random.nextBytes(uuid);
        var secret = new byte[16];
        random.nextBytes(secret);
        var ini = """
                [couchdb]
                uuid = %s
                database_dir = %s
                view_index_dir = %s
                [chttpd]
                port = %d
                bind_address = 127.0.0.1
                [chttpd_auth]
                secret = %s
                [admins]
                %s = %s
                [cluster]
                n = 3
                q = 2
                [log]
                level = warning
                writer = stderr
                """.formatted(HexFormat.of().formatHex(uuid), node.resolve("data"), node.resolve("data"), httpPorts[i],
                HexFormat.of().formatHex(secret), ADMIN, password);
        var args = """
                -name %s
                -setcookie %s
                -kernel inet_dist_use_interface {127,0,0,1}
                -kernel inet_dist_listen_min %d
                -kernel inet_dist_listen_max %d
                -kernel error_logger silent
                -kernel prevent_overlapping_partitions false
                -sasl sasl_error_logger false
                -os_mon start_cpu_sup false
                -os_mon start_memsup false
                +Bd -noinput
                """.formatted(nodeName(i), cookie, distPorts[i], distPorts[i]);
        try {
            Files.createDirectories(node.resolve("data"));
            Files.writeString(node.resolve("local.ini"), ini);
            Files.writeString(node.resolve("vm.args"), args);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startNode(int i) {
        var node = nodeDir(i);
        nodes[i] = ManagedProcess.start("couchdb-n" + (i + 1), List.of(release.resolve("bin/couchdb").toString()), node, Map.of(
                "COUCHDB_ARGS_FILE", node.resolve("vm.args").toString(),
                // the release's defaults, then this node's settings (CouchDB writes hashed passwords back into the last one)
                "COUCHDB_INI_FILES", release.resolve("etc/default.ini") + " " + node.resolve("local.ini"),
                "ERL_EPMD_PORT", String.valueOf(epmdPort),
                "ERL_EPMD_ADDRESS", "127.0.0.1"));
    }

    private void awaitUp(int i, Duration timeout) {
        var deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!nodes[i].isAlive()) {
                throw new IllegalStateException("CouchDB node " + nodeName(i) + " exited:\n" + nodes[i].output());
            }
            try {
                if (call("GET", i, "/_up", null).statusCode() == 200) {
                    return;
                }
            } catch (UncheckedIOException notYet) {
                // not listening yet
            }
            sleep(200);
        }
        throw new IllegalStateException("CouchDB node " + nodeName(i) + " did not come up within " + timeout + ":\n" + nodes[i].output());
    }

    private HttpResponse<String> call(String method, int node, String path, String body) {
        var login = Base64.getEncoder().encodeToString((ADMIN + ":" + password).getBytes(StandardCharsets.UTF_8));
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts[node] + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Basic " + login)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void expect(HttpResponse<String> response, Integer... statuses) {
        if (!List.of(statuses).contains(response.statusCode())) {
            throw new IllegalStateException(response.request().method() + " " + response.uri() + ": " + response.statusCode()
                    + " " + response.body() + " (expected " + List.of(statuses).stream().map(String::valueOf).collect(Collectors.joining(" or ")) + ")");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public synchronized void stop() {
        for (var node : nodes) {
            if (node != null) {
                node.stop();
            }
        }
        if (epmd != null) {
            epmd.stop();
        }
    }
}
