package org.switchboard.benchmarks;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.switchboard.testkit.ManagedProcess;
import org.switchboard.testkit.TestServers;

/**
 * Runs of a benchmark in processes of their own, each printing its figures as one flat JSON line,
 * and the statistics of several rounds of them.
 */
final class ChildRuns {

    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":([0-9.]+)");

    private ChildRuns() {
    }

    /** The command that runs {@code main} of this class in a JVM of its own, on this JVM's class path, with these arguments. */
    static List<String> java(Class<?> main, String... args) {
        var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g",
                "-cp", absoluteClassPath(), main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** Runs the command (at most 10 minutes) and answers the last JSON line it printed. */
    static String lastJsonLine(List<String> command) throws InterruptedException {
        var process = ManagedProcess.start("bench-run", command, TestServers.tempDir("run-"));
        var deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        process.stop();
        return process.output().lines().filter(l -> l.startsWith("{")).reduce((x, y) -> y)
                .orElseThrow(() -> new IllegalStateException("the run printed no result:\n" + process.output()));
    }

    /** One run of an entrant, answering its JSON line. */
    interface Run {
        String of(String entrant) throws Exception;
    }

    /**
     * Runs each entrant once per round, in the given order in odd rounds and in the reverse order in
     * even ones, and prints each run's line; answers the numbers of each entrant's runs.
     */
    static Map<String, List<Map<String, Double>>> alternating(int rounds, List<String> entrants, Run run) throws Exception {
        var width = entrants.stream().mapToInt(String::length).max().orElse(1);
        var results = new LinkedHashMap<String, List<Map<String, Double>>>();
        entrants.forEach(entrant -> results.put(entrant, new ArrayList<>()));
        for (int round = 1; round <= rounds; round++) {
            for (var entrant : round % 2 == 1 ? entrants : entrants.reversed()) {
                var line = run.of(entrant);
                System.out.printf("round %d, %-" + width + "s %s%n", round, entrant + ":", line);
                results.get(entrant).add(fields(line));
            }
        }
        return results;
    }

    /** The numbers of a flat JSON line, by name. */
    static Map<String, Double> fields(String json) {
        var out = new HashMap<String, Double>();
        var m = FIELD.matcher(json);
        while (m.find()) {
            out.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return out;
    }

    static double median(List<Map<String, Double>> runs, String field) {
        var values = runs.stream().map(r -> r.get(field)).sorted().toList();
        var n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }

    static double min(List<Map<String, Double>> runs, String field) {
        return runs.stream().mapToDouble(r -> r.get(field)).min().orElse(0);
    }

    static double max(List<Map<String, Double>> runs, String field) {
        return runs.stream().mapToDouble(r -> r.get(field)).max().orElse(0);
    }

    /** This JVM's class path with every entry absolute: the child runs in a folder of its own. */
    private static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator));
    }
}
