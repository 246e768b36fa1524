package org.switchboard.ledger.entity;

/**
 * A resolver's decision on one transfer: its status, its place in the log and, if rejected, why.
 * {@code transfer} is the transfer itself when the log does not hold it yet (decided before it was
 * stored): the head then carries it, so that whoever writes the decision out can write it whole.
 * {@code via} names the node whose caller sent it, when another node decided it: that node's changes
 * feed picks out the transfers it waits for by this name.
 */
public record Decision(String id, TransferStatus status, String reason, long seq, Transfer transfer, String via) {

    public Decision(String id, TransferStatus status, String reason, long seq) {
        this(id, status, reason, seq, null, null);
    }

    public Decision carrying(Transfer unstored, String sentVia) {
        return new Decision(id, status, reason, seq, unstored, sentVia);
    }
}
