package org.switchboard.ui.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.switchboard.testkit.TestServers;

/** One datasource class, two real databases, chosen by the URL alone. */
class SwitchboardDataSourceTest {

    @Test
    void anH2UrlGivesH2() throws SQLException {
        var ds = new SwitchboardDataSource();
        ds.setUrl("jdbc:h2:mem:ds-test;DB_CLOSE_DELAY=-1");
        ds.setUser("sa");
        assertThat(productOf(ds)).isEqualTo("H2");
    }

    @Test
    void aPostgresUrlGivesPostgres() throws SQLException {
        var pg = TestServers.requirePostgres();
        var ds = new SwitchboardDataSource();
        ds.setURL(pg.jdbcUrl());
        ds.setUser(pg.user());
        assertThat(productOf(ds)).isEqualTo("PostgreSQL");
    }

    @Test
    void anUnresolvedPlaceholderMeansNotSet() throws SQLException {
        var ds = new SwitchboardDataSource();
        ds.setUrl("jdbc:h2:mem:placeholder;DB_CLOSE_DELAY=-1");
        ds.setUser("sa");
        ds.setPassword("${MPCONFIG=DATABASE_PASSWORD}");
        assertThat(ds.getPassword()).isNull();
        assertThat(productOf(ds)).isEqualTo("H2");
        var unset = new SwitchboardDataSource();
        unset.setUrl("${MPCONFIG=DATABASE_URL}");
        assertThatThrownBy(unset::getConnection).hasMessageContaining("DATABASE_URL is not set");
    }

    @Test
    void anotherDatabaseIsRefusedWithAReason() {
        var ds = new SwitchboardDataSource();
        ds.setUrl("jdbc:mysql://127.0.0.1/x");
        assertThatThrownBy(ds::getConnection).isInstanceOf(SQLException.class).hasMessageContaining("jdbc:h2: or jdbc:postgresql:");
    }

    private static String productOf(SwitchboardDataSource ds) throws SQLException {
        try (var c = ds.getConnection(); var rs = c.createStatement().executeQuery("select 1")) {
            assertThat(rs.next()).isTrue();
            return c.getMetaData().getDatabaseProductName();
        }
    }
}
