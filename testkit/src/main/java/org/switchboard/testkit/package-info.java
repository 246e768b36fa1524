/**
 * The test harness: the real servers Switchboard's tests talk to.
 *
 * <p>Tests never mock Redis, CouchDB or the database. This package starts a real {@code redis-server}
 * (the system one, or the binary shipped in the {@code embedded-redis} jar when none is installed),
 * PouchDB Server (from the project's {@code tools/pouchdb-server} folder) and, when it is installed,
 * PostgreSQL, each on a free port bound to 127.0.0.1. They start lazily, on the first test that asks,
 * and {@link org.switchboard.testkit.TestServersSession} stops them when the JUnit session closes.
 *
 * <p>A missing optional prerequisite skips the tests that need it with a message that names it;
 * with {@code CI=true} it fails them instead, so a CI machine cannot silently test less.
 */
package org.switchboard.testkit;
