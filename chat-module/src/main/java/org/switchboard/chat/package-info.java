/**
 * Chat rooms: every message is stored in SQL (Jakarta Persistence) with a per-room sequence number,
 * then broadcast through Redis PUBLISH/SUBSCRIBE, so a late reader reads the history and switches to
 * live messages with no gap and no duplicate.
 *
 * <p>Decisions so far, and why:
 * <ul>
 * <li>The sequence number comes from a counter row per room, locked ({@code PESSIMISTIC_WRITE},
 * i.e. {@code SELECT ... FOR UPDATE}) in the transaction that stores the message: a number is used
 * only if its message commits (no gap), and writers of one room queue on the row (no duplicate).
 * A database sequence would leave gaps on rollback; {@code max(seq) + 1} would race.</li>
 * <li>History is paged by sequence number (keyset), never by offset.</li>
 * <li>{@code LocalDateTime} in UTC and SEQUENCE ids: on H2 2.x, {@code Instant} maps to a blob and
 * EclipseLink's IDENTITY SQL is refused. The same mapping runs on PostgreSQL.</li>
 * </ul>
 *
 * <p>The module takes its {@code RedissonClient} and its datasource from the web module, which
 * composes the patterns; it does not depend on any other pattern module.
 */
package org.switchboard.chat;
