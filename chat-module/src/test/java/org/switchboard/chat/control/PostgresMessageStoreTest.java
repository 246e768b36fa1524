package org.switchboard.chat.control;

import java.util.Map;
import org.switchboard.testkit.TestServers;

/** The store on PostgreSQL, the production choice (skipped where PostgreSQL is not installed, unless CI=true). */
class PostgresMessageStoreTest extends MessageStoreContract {

    @Override
    Map<String, Object> database() {
        var pg = TestServers.requirePostgres();
        return Map.of("jakarta.persistence.jdbc.url", pg.jdbcUrl(),
                "jakarta.persistence.jdbc.user", pg.user(),
                "jakarta.persistence.jdbc.password", "",
                "jakarta.persistence.jdbc.driver", "org.postgresql.Driver");
    }
}
