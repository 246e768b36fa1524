package org.switchboard.chat.control;

import java.util.Map;
import java.util.UUID;

/** The store on the embedded H2 database, the default. */
class H2MessageStoreTest extends MessageStoreContract {

    @Override
    Map<String, Object> database() {
        return Map.of("jakarta.persistence.jdbc.url", "jdbc:h2:mem:chat-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=20000",
                "jakarta.persistence.jdbc.user", "sa",
                "jakarta.persistence.jdbc.password", "",
                "jakarta.persistence.jdbc.driver", "org.h2.Driver");
    }
}
