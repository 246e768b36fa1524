package org.switchboard.ui.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The deployment's settings. Every one is an environment variable with a working default in
 * {@code META-INF/microprofile-config.properties}; an empty value counts as unset.
 */
@ApplicationScoped
public class Settings {

    /** Created at start-up, for the reason {@code Clients} gives. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        // observing is enough: CDI creates the bean now
    }

    @Inject
    @ConfigProperty(name = "DATA_DIR")
    String dataDir;

    @Inject
    @ConfigProperty(name = "REDIS_URL")
    String redisUrl;

    @Inject
    @ConfigProperty(name = "COUCHDB_URL")
    String couchDbUrl;

    @Inject
    @ConfigProperty(name = "COUCHDB_USER")
    Optional<String> couchDbUser;

    @Inject
    @ConfigProperty(name = "COUCHDB_PASSWORD")
    Optional<String> couchDbPassword;

    @Inject
    @ConfigProperty(name = "DATABASE_URL")
    String databaseUrl;

    @Inject
    @ConfigProperty(name = "switchboard.ledger.database")
    String ledgerDatabase;

    public Path dataDir() {
        return Path.of(dataDir).toAbsolutePath().normalize();
    }

    public RedisUrl redisUrl() {
        return RedisUrl.parse(redisUrl);
    }

    /** The CouchDB coordinators the ledger may use, in the order it tries them: {@code COUCHDB_URL} is comma-separated. */
    public List<URI> couchDbUrls() {
        return Arrays.stream(couchDbUrl.split(",")).map(String::strip).filter(u -> !u.isEmpty()).map(URI::create).toList();
    }

    public Optional<String> couchDbUser() {
        return couchDbUser.filter(s -> !s.isBlank());
    }

    public Optional<String> couchDbPassword() {
        return couchDbPassword.filter(s -> !s.isBlank());
    }

    public String ledgerDatabase() {
        return ledgerDatabase;
    }

    /** Where each server is, without passwords: for the admin pages and {@code /api/system}. */
    public String redisRedacted() {
        return redisUrl().redacted();
    }

    public String couchDbRedacted() {
        return couchDbUrls().stream().map(u -> u.toString().replaceAll("//[^/@]*@", "//***@").replaceAll("/+$", ""))
                .collect(Collectors.joining(", ")) + " (database " + ledgerDatabase + ")";
    }

    public String databaseRedacted() {
        return databaseUrl.replaceAll("(?i)(password=)[^;&]*", "$1***");
    }
}
