package org.switchboard.ui.support;

import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * A test class that talks to the deployed WAR from outside, over HTTP: one Payara Micro node per
 * class, started as {@link PayaraNode} starts it, so that a boot that hangs (Payara Micro 7.2025.1
 * now and then deadlocks while it boots) is killed and started once more instead of failing the class.
 */
public abstract class ClientSideIT {

    private static PayaraNode node;

    /** The application's base URL on 127.0.0.1, ending in a slash. */
    protected URI base;

    @BeforeAll
    static void startNode() {
        node = PayaraNode.start();
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
            node = null;
        }
    }

    @BeforeEach
    protected void base() {
        base = node.base();
    }
}
