package org.switchboard.ledger.entity;

import java.time.Instant;

/**
 * A transfer of the log. {@code amount} is in minor units. {@code seq} is its place in the log's
 * total order, given when it is decided (null while pending); {@code reason} says why it was rejected.
 * {@code twoPhase} is null for a transfer that moves its amount at once; see {@link TwoPhase}.
 * {@code link} is null for a transfer made on its own; see {@link Link}.
 */
public record Transfer(String id, String from, String to, long amount, Instant timestamp, TransferStatus status,
                       String reason, Long seq, Instant resolvedAt, TwoPhase twoPhase, Link link) {

    /**
     * The largest amount, and the largest balance either way: 2^53 - 1, the last whole number a JSON
     * reader that uses doubles (CouchDB's JavaScript views among them) keeps exact.
     */
    public static final long MAX_AMOUNT = (1L << 53) - 1;

    /** A transfer that moves its amount at once. */
    public Transfer(String id, String from, String to, long amount, Instant timestamp, TransferStatus status,
                    String reason, Long seq, Instant resolvedAt) {
        this(id, from, to, amount, timestamp, status, reason, seq, resolvedAt, null, null);
    }

    /** A transfer made on its own. */
    public Transfer(String id, String from, String to, long amount, Instant timestamp, TransferStatus status,
                    String reason, Long seq, Instant resolvedAt, TwoPhase twoPhase) {
        this(id, from, to, amount, timestamp, status, reason, seq, resolvedAt, twoPhase, null);
    }

    /** This transfer as decided, its two-phase part and its batch kept; a batch's first no longer carries the others. */
    public Transfer decided(TransferStatus outcome, String why, Long place, Instant at) {
        return new Transfer(id, from, to, amount, timestamp, outcome, why, place, at, twoPhase, alone().link);
    }

    /** This transfer as part of an atomic batch. */
    public Transfer linked(Link batch) {
        return new Transfer(id, from, to, amount, timestamp, status, reason, seq, resolvedAt, twoPhase, batch);
    }

    /** This transfer without the others of its batch, if it carried them. */
    public Transfer alone() {
        return link == null || link.others() == null ? this
                : new Transfer(id, from, to, amount, timestamp, status, reason, seq, resolvedAt, twoPhase, new Link(link.group(), link.size(), null));
    }

    public boolean isDecided() {
        return status != TransferStatus.PENDING;
    }

    /** When a decided reservation times out: its timeout after its decision (null for anything else). */
    public Instant expiresAt() {
        return twoPhase != null && twoPhase.reserves() && resolvedAt != null ? resolvedAt.plusSeconds(twoPhase.timeoutSeconds()) : null;
    }
}
