package org.switchboard.ledger.entity;

/** A resolver's decision on one transfer: its status, its place in the log and, if rejected, why. */
public record Decision(String id, TransferStatus status, String reason, long seq) {
}
