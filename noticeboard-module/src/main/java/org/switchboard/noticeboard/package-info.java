/**
 * Notice boards on Redis: a board holds its latest value under a revision that only increases, and
 * a watcher that names the last revision it saw is answered at once or woken by the next post.
 *
 * <p>Decisions, and why:
 * <ul>
 * <li>Revisions, not float timestamps: two posts can share a millisecond and clocks skew.
 * A Lua script sets the value, bumps the revision and publishes in one atomic step, so revisions are
 * gapless and published in order. The timestamp (Redis's clock) is kept for display only.</li>
 * <li>An epoch per board, chosen at its first post: if Redis loses the board, the next post starts a
 * new epoch at revision 1, and a watcher holding a revision from before is answered at once. A
 * cursor greater than the board's revision is answered at once for the same reason.</li>
 * <li>Register, then read: a watcher is registered for wake-ups before the board is read, so an update
 * that lands between the two is never lost (a duplicate wake-up is harmless).</li>
 * <li>One subscription per node (one channel for all boards), fanned out in memory; waiting holds a
 * future and a timer entry, no thread. Every (re)subscription re-reads the watched boards, which
 * makes up for messages lost while Redis was unreachable.</li>
 * <li>A board is one hash, so a post touches one key and runs on Redis Cluster; the list of boards
 * is a separate sorted set updated right after, outside the atomic step, as it is only an index.</li>
 * </ul>
 *
 * <p>Redis out of reach reaches callers as a {@code BoardsUnavailableException}, also through the
 * watchers' futures.
 */
package org.switchboard.noticeboard;
