package org.switchboard.noticeboard.entity;

import java.time.Instant;

/** A board in the list of boards: its name, current revision and time of its last post. */
public record BoardSummary(String name, long revision, Instant postedAt) {
}
