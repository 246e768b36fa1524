package org.switchboard.ledger.control;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.switchboard.ledger.entity.Decision;
import org.switchboard.ledger.entity.Transfer;
import org.switchboard.ledger.entity.TransferStatus;

/**
 * Decides pending transfers. One round: finish writing the last committed batch onto its transfers,
 * read the oldest pending transfers as they are now, decide them in order (timestamp, then id)
 * against the balances of the head, and commit the decisions and the new balances to the head in one
 * write guarded by its {@code _rev}. Losing that race means another resolver decided first: the
 * round starts again from the new head. So whatever number of resolvers run, on however many nodes,
 * decisions are made one batch at a time, each on the exact balances the previous batch left.
 */
public class Resolver {

    public static final String INSUFFICIENT_FUNDS = "insufficient funds";
    public static final String UNKNOWN_ACCOUNT = "unknown account";
    public static final String OVERFLOW = "the balance would overflow";

    private final LedgerStore store;
    private final int batchSize;
    /** One round at a time per node: the others would only lose the race to it. */
    private final ReentrantLock rounds = new ReentrantLock();
    /** Called between deciding and committing (tests: a race made on purpose). */
    volatile Runnable beforeCommit = () -> { };
    /** Called between committing and writing the decisions onto the transfers (tests: a crash there). */
    volatile Runnable afterCommit = () -> { };

    public Resolver(LedgerStore store, int batchSize) {
        this.store = store;
        this.batchSize = batchSize;
    }

    /** Decides pending transfers until none is left; answers how many this node decided. */
    public int resolveAll() {
        int total = 0;
        for (int n; (n = resolveOnce()) > 0; ) {
            total += n;
        }
        return total;
    }

    /** One batch: answers how many transfers this node decided (0 when none was pending). */
    public int resolveOnce() {
        rounds.lock();
        try {
            while (true) {
                var head = store.head();
                store.apply(head.batch()); // the last batch may be committed but not yet written (its resolver died)
                var pending = new ArrayList<>(store.pending(batchSize));
                if (pending.isEmpty()) {
                    return 0;
                }
                var done = new HashSet<String>();
                head.batch().forEach(d -> done.add(d.id()));
                pending.removeIf(t -> done.contains(t.id()));
                pending.sort(Comparator.comparing(Transfer::timestamp).thenComparing(Transfer::id));
                var balances = new HashMap<>(head.balances());
                var decisions = decide(head.seq(), pending, balances);
                beforeCommit.run();
                if (store.commit(head, balances, decisions)) {
                    afterCommit.run();
                    store.apply(decisions);
                    return decisions.size();
                }
                // another resolver committed first: decide again on its balances
            }
        } finally {
            rounds.unlock();
        }
    }

    /** Decides the transfers in order on {@code balances} (updated in place); places start after {@code seq}. */
    List<Decision> decide(long seq, List<Transfer> transfers, HashMap<String, Long> balances) {
        var accounts = store.accounts(transfers.stream().flatMap(t -> java.util.stream.Stream.of(t.from(), t.to())).toList());
        var decisions = new ArrayList<Decision>(transfers.size());
        for (var t : transfers) {
            var place = seq + decisions.size() + 1;
            var fromRule = accounts.get(t.from());
            if (fromRule == null || !accounts.containsKey(t.to())) {
                decisions.add(new Decision(t.id(), TransferStatus.REJECTED, UNKNOWN_ACCOUNT, place));
                continue;
            }
            long from = balances.getOrDefault(t.from(), 0L);
            long to = balances.getOrDefault(t.to(), 0L);
            if (!fromRule && from < t.amount()) {
                decisions.add(new Decision(t.id(), TransferStatus.REJECTED, INSUFFICIENT_FUNDS, place));
                continue;
            }
            try {
                var newFrom = Math.subtractExact(from, t.amount());
                var newTo = Math.addExact(to, t.amount());
                balances.put(t.from(), newFrom);
                balances.put(t.to(), newTo);
                decisions.add(new Decision(t.id(), TransferStatus.SUCCESSFUL, null, place));
            } catch (ArithmeticException e) {
                decisions.add(new Decision(t.id(), TransferStatus.REJECTED, OVERFLOW, place));
            }
        }
        return decisions;
    }
}
