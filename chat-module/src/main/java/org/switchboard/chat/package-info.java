/**
 * Chat rooms: every message is stored in SQL (Jakarta Persistence) with a per-room sequence number,
 * then broadcast through Redis PUBLISH/SUBSCRIBE, so a late reader reads the history and switches to
 * live messages with no gap and no duplicate.
 *
 * <p>The module takes its {@code RedissonClient} and its datasource from the web module, which
 * composes the patterns; it does not depend on any other pattern module.
 */
package org.switchboard.chat;
