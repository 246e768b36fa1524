package org.switchboard.testkit;

import org.junit.jupiter.api.Assumptions;

/**
 * An optional tool a test needs (PostgreSQL, Chromium). Missing, it skips the test with a message
 * that names it; with {@code CI=true} it fails the test, so CI never tests less than it claims.
 */
public final class Prerequisite {

    private Prerequisite() {
    }

    public static void require(boolean present, String what, String howToInstall) {
        if (present) {
            return;
        }
        var message = what + " is not installed, so this test cannot run (" + howToInstall + ")";
        if (isCi()) {
            throw new AssertionError(message + "; CI=true makes a missing prerequisite a failure");
        }
        Assumptions.abort("SKIPPED: " + message);
    }

    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }
}
