package org.switchboard.ui.support;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.switchboard.testkit.FreePort;
import org.switchboard.testkit.ManagedProcess;
import org.switchboard.testkit.TestServers;

/**
 * A second Payara Micro instance with the same WAR and the same servers, started by hand beside the
 * one Arquillian manages: two nodes side by side, as in production.
 */
public final class PayaraNode implements AutoCloseable {

    private final ManagedProcess process;
    private final URI base;
    private final URI tlsBase;

    private PayaraNode(ManagedProcess process, URI base, URI tlsBase) {
        this.process = process;
        this.base = base;
        this.tlsBase = tlsBase;
    }

    /** A node on the same Redis and CouchDB, with its own data folder (the embedded H2 file serves one process only). */
    public static PayaraNode start() {
        return start(Map.of());
    }

    /**
     * A node on the same Redis and CouchDB, with these settings (system properties) on top. Payara
     * Micro 7.2025.1 now and then hangs while it boots (a lock cycle between its notifier
     * configuration and the HTTP listener's setup, seen in about one start in twenty here): a node not ready in
     * two minutes is killed and started once more.
     */
    /** In a setting's value, stands for the node's HTTP port (chosen when it starts). */
    public static final String PORT = "{port}";

    public static PayaraNode start(Map<String, String> settings) {
        return start(settings, false, base -> { });
    }

    /** A node, and {@code whileStarting} called with its address just before its process starts (a watcher of the start). */
    public static PayaraNode start(Map<String, String> settings, Consumer<URI> whileStarting) {
        return start(settings, false, whileStarting);
    }

    /** Nodes with these settings each, started side by side (a start takes most of a minute). */
    @SafeVarargs
    public static List<PayaraNode> startTogether(Map<String, String>... settings) throws Exception {
        try (var starting = Executors.newFixedThreadPool(settings.length)) {
            var futures = Arrays.stream(settings).map(each -> starting.submit(() -> start(each))).toList();
            var nodes = new ArrayList<PayaraNode>();
            for (var future : futures) {
                nodes.add(future.get(6, TimeUnit.MINUTES));
            }
            return nodes;
        }
    }

    /** A node that also serves HTTPS on 127.0.0.1, with Payara Micro's own self-signed certificate. */
    public static PayaraNode startWithTls() {
        return start(Map.of(), true, base -> { });
    }

    private static PayaraNode start(Map<String, String> settings, boolean tls, Consumer<URI> whileStarting) {
        try {
            return startOnce(settings, tls, whileStarting);
        } catch (IllegalStateException hung) {
            System.err.println("A Payara Micro node did not become ready; starting it once more: " + hung.getMessage().lines().findFirst().orElse(""));
            return startOnce(settings, tls, whileStarting);
        }
    }

    private static PayaraNode startOnce(Map<String, String> settings, boolean tls, Consumer<URI> whileStarting) {
        var port = FreePort.find();
        var tlsPort = tls ? FreePort.find() : 0;
        var dir = TestServers.tempDir("node-");
        var command = new ArrayList<String>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Arrays.stream(System.getProperty("payara.cmdOptions").split(" "))
                .filter(option -> !option.startsWith("-DDATA_DIR="))
                .filter(option -> settings.keySet().stream().noneMatch(key -> option.startsWith("-D" + key + "=")))
                .forEach(command::add);
        command.add("-DDATA_DIR=" + dir.resolve("data"));
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value.replace(PORT, String.valueOf(port))));
        command.addAll(List.of("-jar", System.getProperty("payara.microJar"),
                "--deploy", System.getProperty("switchboard.war"), "--contextroot", "/switchboard",
                "--port", String.valueOf(port), "--nocluster", "--disablephonehome",
                "--prebootcommandfile", Path.of("src/payara/preboot.asadmin").toAbsolutePath().toString(),
                "--postdeploycommandfile", Path.of("src/payara/postdeploy.asadmin").toAbsolutePath().toString(),
                "--rootdir", dir.resolve("payara").toString()));
        if (tls) {
            command.addAll(List.of("--sslport", String.valueOf(tlsPort)));
        }
        whileStarting.accept(URI.create("http://127.0.0.1:" + port + "/switchboard/"));
        var process = ManagedProcess.start("payara-node", command, dir);
        var node = new PayaraNode(process, URI.create("http://127.0.0.1:" + port + "/switchboard/"),
                tls ? URI.create("https://127.0.0.1:" + tlsPort + "/switchboard/") : null);
        node.awaitReady();
        return node;
    }

    public URI base() {
        return base;
    }

    /** The HTTPS address, for a node started {@link #startWithTls() with TLS}. */
    public URI tlsBase() {
        return tlsBase;
    }

    private void awaitReady() {
        var deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the second Payara node exited:\n" + process.output());
            }
            try {
                if (Deployed.get(base.resolve("/health/ready")).statusCode() == 200) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        var output = process.output();
        process.kill(); // a hung boot ignores SIGTERM
        throw new IllegalStateException("the second Payara node was not ready in time:\n" + output);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the node at once (SIGKILL), as a crash would. */
    public void kill() {
        process.kill();
    }

    /** Stops the node as an operator would (SIGTERM), waiting up to {@code patience} before killing it. */
    public void stop(Duration patience) {
        process.stop(patience);
    }

    @Override
    public void close() {
        process.stop();
    }
}
