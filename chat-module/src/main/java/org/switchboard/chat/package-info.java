/**
 * Chat rooms: every message is stored in SQL (Jakarta Persistence) with a per-room sequence number,
 * then broadcast through Redis PUBLISH/SUBSCRIBE, so a late reader reads the history and switches to
 * live messages with no gap and no duplicate.
 *
 * <p>The guarantee: a reader that starts from any sequence number receives every later message of the
 * room exactly once, in order. Why it holds:
 * <ul>
 * <li>The sequence number comes from a counter row per room, locked ({@code PESSIMISTIC_WRITE},
 * i.e. {@code SELECT ... FOR UPDATE}) in the transaction that stores the message: a number is used
 * only if its message commits (no gap), and writers of one room queue on the row (no duplicate), so
 * numbers also commit in order. A database sequence would leave gaps on rollback; {@code max(seq) + 1}
 * would race. The message is published only after the commit, so whatever a reader sees live is
 * already in SQL.</li>
 * <li>SQL is the truth and Redis only the doorbell. Each node subscribes once and keeps, per room it
 * serves, a tail that knows the highest number it passed on. The tail subscribes first, then reads
 * where the history ends, then merges; it drops what it has, holds back a number that overtook the
 * one before (two commits in a row may publish the other way round) and, if the gap is still open
 * after a short grace, reads it from SQL. A periodic check against the room's last number, and one on
 * every resubscription, finds what was lost with nothing after it (a node killed between its commit
 * and its publish, a dropped subscription).</li>
 * <li>A reader reads the history from SQL up to the tail, then takes the tail's messages, dropping
 * numbers it has. It keeps its own place, so falling behind (a slow client) costs a bounded queue and
 * then SQL reads, never a lost or repeated message. Over HTTP the event id is the number, and a
 * reconnecting client resumes after its {@code Last-Event-ID}.</li>
 * <li>History is paged by sequence number (keyset), never by offset. {@code LocalDateTime} in UTC
 * (truncated to microseconds, what PostgreSQL keeps) and SEQUENCE ids: on H2 2.x, {@code Instant}
 * maps to a blob and EclipseLink's IDENTITY SQL is refused. The same mapping runs on PostgreSQL.</li>
 * <li>Presence is a lease per open connection in a Redis map whose entries expire on their own
 * ({@code RMapCache}), renewed by the node while the connection lives. The posting rate limit is a
 * Redisson rate limiter per client address and author, shared by all nodes.</li>
 * </ul>
 *
 * <p>The module takes its {@code RedissonClient} and its datasource from the web module, which
 * composes the patterns, through {@code ChatServers} and {@code TransactionalMessageStore}; a failure
 * of either server reaches callers as a {@code ChatUnavailableException}. It does not depend on any
 * other pattern module.
 */
package org.switchboard.chat;
