package org.switchboard.ui.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminPasswordTest {

    @TempDir
    Path dataDir;

    @Test
    void aGeneratedPasswordIsLongRandomAndReadableByItsOwnerOnly() throws Exception {
        var file = dataDir.resolve("sub/admin-password");
        var password = AdminPassword.readOrGenerate(file);
        assertThat(password).hasSizeGreaterThanOrEqualTo(20).matches("[A-Za-z0-9_-]+");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(AdminPassword.readOrGenerate(file)).as("the second start reads the same one").isEqualTo(password);
        assertThat(AdminPassword.readOrGenerate(dataDir.resolve("other"))).isNotEqualTo(password);
    }

    @Test
    void nodesStartingTogetherAgreeOnOnePassword() throws Exception {
        var file = dataDir.resolve("admin-password");
        try (var pool = Executors.newFixedThreadPool(8)) {
            var tasks = IntStream.range(0, 8).<Callable<String>>mapToObj(i -> () -> AdminPassword.readOrGenerate(file)).toList();
            var answers = pool.invokeAll(tasks).stream().map(f -> {
                try {
                    return f.get();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).distinct().toList();
            assertThat(answers).hasSize(1);
        }
        try (var leftovers = Files.list(dataDir)) {
            assertThat(leftovers).containsExactly(file);
        }
    }

    @Test
    void matchesComparesTheWholePassword() {
        var password = new AdminPassword();
        password.configured = Optional.of("correct horse");
        password.load();
        assertThat(password.matches("correct horse")).isTrue();
        assertThat(password.matches("correct hors")).isFalse();
        assertThat(password.matches("")).isFalse();
        assertThat(password.matches(null)).isFalse();
    }
}
