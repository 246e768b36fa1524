package org.switchboard.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A process held to a fixed share of one core by a Linux control group of its own (the CFS bandwidth
 * limit of cgroup v1's {@code cpu} controller, or of cgroup v2's {@code cpu.max}); needs root. A
 * benchmark uses it to make each Redis process stand for a server of known, equal capacity, so that
 * what one more server adds can be measured on a machine with fewer cores than processes.
 */
final class CpuCap implements AutoCloseable {

    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final long PERIOD_MICROS = 20_000;

    private final Path group;

    private CpuCap(Path group) {
        this.group = group;
    }

    /** Moves process {@code pid} into a new group limited to {@code cores} of one core. */
    static CpuCap of(long pid, double cores) {
        var quota = String.valueOf(Math.max(1_000, Math.round(cores * PERIOD_MICROS)));
        try {
            if (Files.exists(ROOT.resolve("cpu/cpu.cfs_quota_us"))) {
                var group = Files.createDirectories(ROOT.resolve("cpu/switchboard-bench-" + pid));
                Files.writeString(group.resolve("cpu.cfs_period_us"), String.valueOf(PERIOD_MICROS));
                Files.writeString(group.resolve("cpu.cfs_quota_us"), quota);
                Files.writeString(group.resolve("cgroup.procs"), String.valueOf(pid));
                return new CpuCap(group);
            }
            if (Files.exists(ROOT.resolve("cgroup.controllers"))) {
                Files.writeString(ROOT.resolve("cgroup.subtree_control"), "+cpu");
                var group = Files.createDirectories(ROOT.resolve("switchboard-bench-" + pid));
                Files.writeString(group.resolve("cpu.max"), quota + " " + PERIOD_MICROS);
                Files.writeString(group.resolve("cgroup.procs"), String.valueOf(pid));
                return new CpuCap(group);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot cap a process's CPU (a control group needs root): " + e.getMessage(), e);
        }
        throw new IllegalStateException("cannot cap a process's CPU: no cgroup cpu controller under " + ROOT);
    }

    static String describe(double cores) {
        return String.format(Locale.ROOT, "%.2f of a core", cores);
    }

    /** Removes the group once its process has exited (a group with a process in it cannot be removed). */
    @Override
    public void close() {
        for (int i = 0; i < 50; i++) {
            try {
                Files.deleteIfExists(group);
                return;
            } catch (IOException stillInUse) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
