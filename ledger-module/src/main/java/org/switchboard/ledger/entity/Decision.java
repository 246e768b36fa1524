package org.switchboard.ledger.entity;

import java.time.Instant;

/**
 * A resolver's decision on one transfer: its status, its place in the log and, if rejected, why.
 * {@code transfer} is the transfer itself when the log does not hold it yet (decided before it was
 * stored): the head then carries it, so that whoever writes the decision out can write it whole.
 * {@code at} is when it was decided, in the head too, so that every node answers and writes the same
 * time (null in heads written before it was kept).
 */
public record Decision(String id, TransferStatus status, String reason, long seq, Transfer transfer, Instant at) {

    public Decision(String id, TransferStatus status, String reason, long seq, Instant at) {
        this(id, status, reason, seq, null, at);
    }

    public Decision carrying(Transfer unstored) {
        return new Decision(id, status, reason, seq, unstored, at);
    }
}
