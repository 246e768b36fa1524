package org.switchboard.ui.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.lightcouch.CouchDbProperties;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;

/**
 * One producer per client, configured from MicroProfile Config, closed when the application stops.
 *
 * <p>Redisson is created with lazy initialisation, so it exists even while Redis is down and
 * reconnects by itself. LightCouch connects in its constructor; when CouchDB is down the producer
 * throws and CDI calls it again on the next use, so the client appears as soon as CouchDB answers.
 */
@ApplicationScoped
public class Clients {

    /**
     * Created at start-up, in the application's own context: created later by a {@code /health}
     * request, which Payara serves from its own web module, the configuration would be looked up in
     * the wrong application and the values would be missing.
     */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        // observing is enough: CDI creates the bean now
    }

    @Inject
    Settings settings;

    @Produces
    @ApplicationScoped
    RedissonClient redisson() {
        return Redisson.create(settings.redisUrl().toConfig());
    }

    void close(@Disposes RedissonClient client) {
        client.shutdown();
    }

    /** LightCouch logs every request and answer at INFO: a line per database call. Kept here so the setting holds. */
    private static final Logger LIGHTCOUCH = Logger.getLogger("org.lightcouch");

    /**
     * The ledger's CouchDB coordinators ({@code COUCHDB_URL}, comma-separated), each as the properties
     * of its client: the ledger makes a client from them when it first needs that coordinator, so one
     * that is down at start-up keeps no other from being used.
     */
    @Produces
    @Singleton
    List<CouchDbProperties> ledgerCoordinators() {
        LIGHTCOUCH.setLevel(Level.WARNING);
        var coordinators = new ArrayList<CouchDbProperties>();
        for (var url : settings.couchDbUrls()) {
            var properties = new CouchDbProperties()
                    .setDbName(settings.ledgerDatabase())
                    .setCreateDbIfNotExist(true)
                    .setProtocol(url.getScheme())
                    .setHost(url.getHost())
                    .setPort(url.getPort() > 0 ? url.getPort() : ("https".equals(url.getScheme()) ? 443 : 80))
                    .setMaxConnections(32)
                    .setConnectionTimeout(2000)
                    .setSocketTimeout(30_000);
            settings.couchDbUser().ifPresent(properties::setUsername);
            settings.couchDbPassword().ifPresent(properties::setPassword);
            coordinators.add(properties);
        }
        return List.copyOf(coordinators);
    }
}
