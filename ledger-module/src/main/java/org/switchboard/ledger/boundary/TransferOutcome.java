package org.switchboard.ledger.boundary;

import org.switchboard.ledger.entity.Transfer;

/** A transfer of a batch as it was answered (decided or pending), or the exception that refused it. */
public record TransferOutcome(Transfer transfer, RuntimeException refused) {
}
