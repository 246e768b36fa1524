package org.switchboard.ui.platform;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The datasource class named in {@link SqlDatabase}'s {@code @DataSourceDefinition}: it picks the
 * driver from {@code DATABASE_URL}, so one WAR runs on the embedded H2 file database and on
 * PostgreSQL alike. The container pools the connections it hands out.
 */
public class SwitchboardDataSource implements DataSource {

    private String url;
    private String user;
    private String password;
    private int loginTimeout;
    private PrintWriter logWriter;
    private volatile DataSource delegate;

    public void setUrl(String url) {
        this.url = configured(url);
        this.delegate = null;
    }

    public String getUrl() {
        return url;
    }

    /** The same property under the name some pools use. */
    public void setURL(String url) {
        setUrl(url);
    }

    public String getURL() {
        return url;
    }

    public void setUser(String user) {
        this.user = configured(user);
        this.delegate = null;
    }

    public String getUser() {
        return user;
    }

    public void setPassword(String password) {
        this.password = configured(password);
        this.delegate = null;
    }

    public String getPassword() {
        return password;
    }

    DataSource delegate() throws SQLException {
        var current = delegate;
        if (current == null) {
            current = create();
            delegate = current;
        }
        return current;
    }

    private DataSource create() throws SQLException {
        if (url == null || url.isBlank()) {
            throw new SQLException("DATABASE_URL is not set");
        }
        if (url.startsWith("jdbc:h2:")) {
            var h2 = new JdbcDataSource();
            h2.setURL(url);
            h2.setUser(orEmpty(user));
            h2.setPassword(orEmpty(password));
            return h2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            var pg = new PGSimpleDataSource();
            pg.setURL(url);
            if (user != null && !user.isBlank()) {
                pg.setUser(user);
            }
            if (password != null && !password.isBlank()) {
                pg.setPassword(password);
            }
            pg.setConnectTimeout(5);
            return pg;
        }
        throw new SQLException("DATABASE_URL must be a jdbc:h2: or jdbc:postgresql: URL");
    }

    /**
     * Payara passes a {@code ${MPCONFIG=NAME}} placeholder through as it is when the setting has no
     * value (an empty {@code DATABASE_PASSWORD}, say): that means "not set", not a password.
     */
    static String configured(String value) {
        return value == null || value.startsWith("${MPCONFIG=") ? null : value;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return delegate().getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return delegate().getConnection(username, password);
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    @Override
    public void setLoginTimeout(int seconds) {
        this.loginTimeout = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeout;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        return delegate().unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || delegate().isWrapperFor(type);
    }
}
