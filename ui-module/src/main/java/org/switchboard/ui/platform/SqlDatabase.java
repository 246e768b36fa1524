package org.switchboard.ui.platform;

import jakarta.annotation.sql.DataSourceDefinition;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The application's own SQL datasource. Payara's {@code java:comp/DefaultDataSource} lives in a
 * runtime folder made anew at every start, so it would lose the chat history; this one is an H2
 * file under {@code DATA_DIR} by default, or PostgreSQL when {@code DATABASE_URL} says so.
 */
@ApplicationScoped
@DataSourceDefinition(
        name = SqlDatabase.JNDI_NAME,
        className = "org.switchboard.ui.platform.SwitchboardDataSource",
        url = "${MPCONFIG=DATABASE_URL}",
        user = "${MPCONFIG=DATABASE_USER}",
        password = "${MPCONFIG=DATABASE_PASSWORD}",
        minPoolSize = 0,
        maxPoolSize = 32,
        maxIdleTime = 300,
        properties = {
            "fish.payara.is-connection-validation-required=true",
            "fish.payara.connection-validation-method=meta-data",
            "fish.payara.fail-all-connections=true",
            "fish.payara.max-wait-time-in-millis=5000"
        })
public class SqlDatabase {

    public static final String JNDI_NAME = "java:app/jdbc/switchboard";
}
