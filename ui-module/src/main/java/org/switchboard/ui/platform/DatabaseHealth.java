package org.switchboard.ui.platform;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import javax.sql.DataSource;
import org.eclipse.microprofile.health.Readiness;
import org.switchboard.ui.platform.Components.ComponentStatus;

/** Ready when the SQL database hands out a valid connection. */
@Readiness
@ApplicationScoped
public class DatabaseHealth implements ServerCheck {

    @Resource(lookup = SqlDatabase.JNDI_NAME)
    DataSource dataSource;

    @Override
    public ComponentStatus status() {
        return Probe.run("database", () -> {
            try (var connection = dataSource.getConnection()) {
                if (!connection.isValid(2)) {
                    throw new IllegalStateException("connection is not valid");
                }
                var meta = connection.getMetaData();
                return meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion();
            }
        });
    }
}
