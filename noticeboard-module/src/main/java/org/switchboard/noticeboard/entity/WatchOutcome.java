package org.switchboard.noticeboard.entity;

/**
 * What a watch answers.
 *
 * @param board   the board's state when the watch ended; null when nothing was ever posted to it
 * @param changed true when the state is newer than (or from another epoch than) what the watcher
 *                had seen; false when the watch timed out with nothing new
 */
public record WatchOutcome(Board board, boolean changed) {
}
