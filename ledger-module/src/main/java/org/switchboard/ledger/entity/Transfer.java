package org.switchboard.ledger.entity;

import java.time.Instant;

/**
 * A transfer of the log. {@code amount} is in minor units. {@code seq} is its place in the log's
 * total order, given when it is decided (null while pending); {@code reason} says why it was rejected.
 */
public record Transfer(String id, String from, String to, long amount, Instant timestamp, TransferStatus status,
                       String reason, Long seq, Instant resolvedAt) {

    public boolean isDecided() {
        return status != TransferStatus.PENDING;
    }
}
