package org.switchboard.ledger.entity;

/**
 * A resolver's decision on one transfer: its status, its place in the log and, if rejected, why.
 * {@code transfer} is the transfer itself when the log does not hold it yet (decided before it was
 * stored): the head then carries it, so that whoever writes the decision out can write it whole.
 */
public record Decision(String id, TransferStatus status, String reason, long seq, Transfer transfer) {

    public Decision(String id, TransferStatus status, String reason, long seq) {
        this(id, status, reason, seq, null);
    }

    public Decision carrying(Transfer unstored) {
        return new Decision(id, status, reason, seq, unstored);
    }
}
