package org.switchboard.noticeboard.entity;

import java.time.Instant;

/**
 * The state of a board: its latest value and the revision that value was posted under.
 *
 * @param name     the board's name
 * @param revision increases by one with every post; 1 for the first
 * @param epoch    changes when Redis loses the board and it starts again from revision 1, so that a
 *                 watcher holding a revision of the old board is answered at once
 * @param postedAt when the value was posted, by Redis's clock: for display only, never for ordering
 * @param value    the value, JSON text
 * @param expiresAt when the board expires unless posted to again (Redis's clock); null for a board without a lease
 */
public record Board(String name, long revision, String epoch, Instant postedAt, String value, Instant expiresAt) {

    /** A board without a lease. */
    public Board(String name, long revision, String epoch, Instant postedAt, String value) {
        this(name, revision, epoch, postedAt, value, null);
    }
}
