package org.switchboard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A server process started by the harness, its output kept in a log file for error messages. */
public final class ManagedProcess {

    private final String name;
    private final Path log;
    private final Process process;

    private ManagedProcess(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    public static ManagedProcess start(String name, List<String> command, Path workDir) {
        return start(name, command, workDir, Map.of());
    }

    /** {@link #start(String, List, Path)} with these environment variables added to the harness's own. */
    public static ManagedProcess start(String name, List<String> command, Path workDir, Map<String, String> environment) {
        try {
            Files.createDirectories(workDir);
            var log = workDir.resolve(name + ".out");
            var builder = new ProcessBuilder(command);
            builder.environment().putAll(environment);
            var process = builder
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            return new ManagedProcess(name, log, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " " + command, e);
        }
    }

    public String name() {
        return name;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** The last part of what the process printed, for error messages. */
    public String output() {
        try {
            var text = Files.readString(log);
            return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, then SIGKILL after a grace period; also stops the children (npm shims start node). */
    public void stop() {
        stop(Duration.ofSeconds(10));
    }

    /** SIGTERM, then SIGKILL if it still runs after {@code patience}. */
    public void stop(Duration patience) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL, as a crash would: no shutdown work happens. */
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String run(List<String> command, Path workDir) {
        var p = start(command.getFirst().replaceAll(".*/", ""), command, workDir);
        try {
            if (!p.process.waitFor(120, TimeUnit.SECONDS) || p.process.exitValue() != 0) {
                p.kill();
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + p.output());
            }
            return p.output();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

}
