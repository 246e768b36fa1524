package org.switchboard.ui.security;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.switchboard.ui.platform.Settings;

/**
 * The admin password: {@code ADMIN_PASSWORD} when it is set. Otherwise a random one, generated on the
 * first start into {@code DATA_DIR/admin-password} with owner-only permissions, and read from there
 * afterwards. No password is built in.
 */
@ApplicationScoped
public class AdminPassword {

    static final String FILE_NAME = "admin-password";
    private static final System.Logger LOG = System.getLogger(AdminPassword.class.getName());

    @Inject
    @ConfigProperty(name = "ADMIN_PASSWORD")
    Optional<String> configured;

    @Inject
    Settings settings;

    private byte[] digest;

    @PostConstruct
    void load() {
        var password = configured.filter(p -> !p.isBlank())
                .orElseGet(() -> readOrGenerate(settings.dataDir().resolve(FILE_NAME)));
        digest = sha256(password);
    }

    /** Loads (or generates) the password at start-up, so that it exists before anyone logs in. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        // observing is enough: CDI creates the bean, and @PostConstruct does the work
    }

    /** Compares digests in constant time, so the answer's timing says nothing about the password. */
    public boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(digest, sha256(candidate));
    }

    static String readOrGenerate(Path file) {
        try {
            if (!Files.exists(file)) {
                generate(file);
            }
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the admin password file " + file, e);
        }
    }

    private static void generate(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        var bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        var password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        var ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
        var temp = Files.createTempFile(file.getParent(), FILE_NAME, ".new", ownerOnly);
        Files.writeString(temp, password + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        try {
            // a link, not a move: when two nodes start at once on one data folder, exactly one wins
            Files.createLink(file, temp);
            LOG.log(System.Logger.Level.INFO, "Generated the admin password into {0}", file);
        } catch (FileAlreadyExistsException lostTheRace) {
            // the other node's password stands
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
