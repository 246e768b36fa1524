package org.switchboard.ledger.entity;

import java.time.Instant;

/**
 * A transfer of the log. {@code amount} is in minor units. {@code seq} is its place in the log's
 * total order, given when it is decided (null while pending); {@code reason} says why it was rejected.
 */
public record Transfer(String id, String from, String to, long amount, Instant timestamp, TransferStatus status,
                       String reason, Long seq, Instant resolvedAt) {

    /**
     * The largest amount, and the largest balance either way: 2^53 - 1, the last whole number a JSON
     * reader that uses doubles (CouchDB's JavaScript views among them) keeps exact.
     */
    public static final long MAX_AMOUNT = (1L << 53) - 1;

    public boolean isDecided() {
        return status != TransferStatus.PENDING;
    }
}
