package org.switchboard.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.switchboard.testkit.FreePort;
import org.switchboard.testkit.ManagedProcess;
import org.switchboard.testkit.TestServers;

/**
 * One Switchboard node (Payara Micro, -Xmx1g) started for a benchmark on the local Redis and PouchDB
 * Server, with the readings the benchmarks print: heap after GC, RSS, threads.
 */
final class AppNode implements AutoCloseable {

    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    static final String PASSWORD = "bench-" + Long.toHexString(System.nanoTime());

    private final ManagedProcess process;
    final URI base;

    private AppNode(ManagedProcess process, URI base) {
        this.process = process;
        this.base = base;
    }

    /** Starts the WAR built under {@code switchboard.root}; {@code settings} become system properties. */
    static AppNode start(Map<String, String> settings) throws Exception {
        var root = Path.of(System.getProperty("switchboard.root", ".")).toAbsolutePath();
        var port = FreePort.find();
        var dir = TestServers.tempDir("bench-");
        var command = new ArrayList<String>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dorg.glassfish.startupThreadPolicy=USE_NO_THREADS")); // as ./run starts it: see there
        var extra = System.getenv("APP_JAVA_OPTS"); // e.g. a flight recording
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.strip().split("\\s+")));
        }
        command.addAll(List.of(
                "-DREDIS_URL=" + TestServers.redis().url(),
                "-DDATA_DIR=" + dir.resolve("data"), "-DADMIN_PASSWORD=" + PASSWORD));
        command.addAll(TestServers.couchDb().nodeOptions());
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of(
                "-jar", root.resolve("ui-module/target/runtime/payara-micro.jar").toString(),
                "--deploy", root.resolve("ui-module/target/switchboard.war").toString(), "--contextroot", "/",
                "--port", String.valueOf(port), "--nocluster", "--disablephonehome",
                "--prebootcommandfile", root.resolve("ui-module/src/payara/preboot.asadmin").toString(),
                "--postdeploycommandfile", root.resolve("ui-module/src/payara/postdeploy.asadmin").toString(),
                "--rootdir", dir.resolve("payara").toString()));
        var node = new AppNode(ManagedProcess.start("payara", command, dir), URI.create("http://127.0.0.1:" + port + "/"));
        try {
            node.awaitReady();
        } catch (Exception | Error e) {
            node.close(); // a node that never got ready outlives the benchmark otherwise
            throw e;
        }
        return node;
    }

    private void awaitReady() throws Exception {
        var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < 600; i++) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Payara Micro exited:\n" + process.output());
            }
            try {
                if (http.send(HttpRequest.newBuilder(base.resolve("health/ready")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("not ready:\n" + process.output());
    }

    static String auth() {
        return "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    void gc() throws Exception {
        jcmd("GC.run");
        Thread.sleep(500);
    }

    long heapUsedKiB() throws Exception {
        var m = HEAP_USED.matcher(jcmd("GC.heap_info"));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** A field of /proc/PID/status in kB (VmRSS) or a count (Threads). */
    long status(String field) throws IOException {
        for (var line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").strip());
            }
        }
        return -1;
    }

    /** CPU time the node has used so far (user + system), from /proc/PID/stat. */
    Duration cpuTime() throws IOException {
        var stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
        var fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return Duration.ofMillis(ticks * 10); // USER_HZ = 100
    }

    private String jcmd(String command) throws Exception {
        var jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(process.pid()), command).redirectErrorStream(true).start();
        var out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    @Override
    public void close() {
        process.stop();
    }

    /** The p-th percentile of microsecond readings, in milliseconds. */
    static double percentile(List<Long> micros, int p) {
        if (micros.isEmpty()) {
            return Double.NaN;
        }
        var sorted = micros.stream().sorted().toList();
        var index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1000.0;
    }
}
