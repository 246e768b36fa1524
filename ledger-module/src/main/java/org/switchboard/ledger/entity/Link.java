package org.switchboard.ledger.entity;

import java.util.ArrayList;
import java.util.List;

/**
 * A transfer's part in an atomic batch (linked transfers): every transfer of the batch is decided in
 * one round, all successful or all rejected. The batch's first transfer names it ({@code group}), and
 * stands for it until it is decided: it carries the others ({@code others}), so that the batch is
 * decided, stored pending and found again whole, as one transfer of the log, and never in part.
 * Decided, each transfer of the batch is a transfer of the log under its own id.
 *
 * @param group  the id of the batch's first transfer
 * @param size   how many transfers the batch holds
 * @param others the batch's transfers after the first, on the first while it stands for the batch;
 *               null on the others, and on the first once decided
 */
public record Link(String group, int size, List<Transfer> others) {

    /** The reason given to the transfers of an atomic batch rejected for another one of them. */
    public static final String LINKED_REJECTED = "linked transfer rejected";

    /** The first transfer of an atomic batch of {@code transfers}, standing for them all. */
    public static Transfer batch(List<Transfer> transfers) {
        var first = transfers.getFirst();
        var others = new ArrayList<Transfer>(transfers.size() - 1);
        for (var t : transfers.subList(1, transfers.size())) {
            others.add(t.linked(new Link(first.id(), transfers.size(), null)));
        }
        return first.linked(new Link(first.id(), transfers.size(), List.copyOf(others)));
    }

    /** Whether this transfer stands for its batch: the first, carrying the others. */
    public boolean standsForBatch() {
        return others != null;
    }

    /** Every transfer of the batch {@code first} stands for, in order, each without the others. */
    public static List<Transfer> members(Transfer first) {
        var out = new ArrayList<Transfer>(first.link().size());
        out.add(first.alone());
        out.addAll(first.link().others());
        return out;
    }
}
