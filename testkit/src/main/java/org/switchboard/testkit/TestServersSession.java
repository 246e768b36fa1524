package org.switchboard.testkit;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Stops the harness's servers when the JUnit session of a test JVM closes, and on JVM exit should a
 * run be interrupted. Registered through {@code META-INF/services}, so any module that has the test
 * kit on its test classpath gets it.
 */
public class TestServersSession implements LauncherSessionListener {

    private static final Thread SHUTDOWN = new Thread(TestServers::stopAll, "switchboard-test-servers-stop");

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        try {
            Runtime.getRuntime().addShutdownHook(SHUTDOWN);
        } catch (IllegalArgumentException alreadyAdded) {
            // a second session in the same JVM
        }
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        TestServers.stopAll();
    }
}
