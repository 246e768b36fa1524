package org.switchboard.ui.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.annotation.Resource;
import jakarta.inject.Inject;
import java.util.UUID;
import javax.sql.DataSource;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.api.RedissonClient;
import org.switchboard.chat.control.TransactionalMessageStore;
import org.switchboard.ui.support.Deployed;

/**
 * Runs inside Payara Micro: the producers give working clients in the container. Plain JUnit
 * assertions only, since this class is deployed into the WAR.
 */
@ExtendWith(ArquillianExtension.class)
class ContainerIT {

    @Deployment
    static WebArchive deployment() {
        return Deployed.war().addClass(ContainerIT.class);
    }

    @Inject
    RedissonClient redis;

    @Inject
    Components components;

    @Resource(lookup = SqlDatabase.JNDI_NAME)
    DataSource dataSource;

    @Test
    void redissonWritesAndReadsPlainStrings() {
        var bucket = redis.<String>getBucket("it:container:" + UUID.randomUUID());
        bucket.set("héllo");
        assertEquals("héllo", bucket.get());
        assertTrue(bucket.delete());
    }

    @Test
    void theSqlDatabaseIsTheH2FileUnderTheDataFolder() throws Exception {
        try (var connection = dataSource.getConnection();
             var rs = connection.createStatement().executeQuery("select 6 * 7")) {
            assertTrue(rs.next());
            assertEquals(42, rs.getInt(1));
            assertEquals("H2", connection.getMetaData().getDatabaseProductName());
            assertTrue(connection.getMetaData().getURL().contains("/h2/switchboard"), connection.getMetaData().getURL());
        }
    }

    @Inject
    TransactionalMessageStore chat;

    @Test
    void theChatHistoryStoresMessagesUnderGaplessNumbersInTheContainer() {
        var room = "it-" + UUID.randomUUID().toString().substring(0, 8);
        assertEquals(1, chat.append(room, "ann", "one").seq());
        assertEquals(2, chat.append(room, "bob", "two").seq());
        var history = chat.after(room, 0, 10);
        assertEquals(2, history.size());
        assertEquals("two", history.get(1).text());
    }

    @Test
    void everyServerIsUp() {
        var statuses = components.statuses();
        assertEquals(3, statuses.size(), statuses.toString());
        assertTrue(statuses.stream().allMatch(Components.ComponentStatus::up), statuses.toString());
    }
}
