package org.switchboard.ledger.control;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.TreeMap;
import java.util.TreeSet;
import org.switchboard.ledger.entity.InvariantReport;

/**
 * The ledger's promises checked against its whole history: the head's balances equal those
 * recomputed from the log (and from the balance-available view), the balances sum to zero, what each
 * account's open reservations hold equals what the head holds for it, no account that may not go
 * negative has a negative balance or available amount, the places are gapless, and nothing stays
 * pending too long.
 */
public final class InvariantCheck {

    private InvariantCheck() {
    }

    /** Recomputes every balance from the log and checks the ledger's promises; a full pass over the history. */
    public static InvariantReport run(CouchLedgerStore store, Resolver resolver, Duration pendingFor) {
        resolver.resolveAll(); // decisions committed at the head are written onto their transfers first
        var head = store.head();
        var log = store.scanLog(2000);
        var staleBefore = Instant.now().minus(pendingFor);
        var fromLog = log.balances();
        var rules = store.accounts();
        var mismatches = new ArrayList<String>();
        var all = new TreeSet<>(head.balances().keySet());
        all.addAll(fromLog.keySet());
        for (var account : all) {
            long a = head.balances().getOrDefault(account, 0L);
            long b = fromLog.getOrDefault(account, 0L);
            if (a != b) {
                mismatches.add(account + ": " + a + " at the head, " + b + " from the log");
            }
        }
        var notes = new ArrayList<String>();
        // the classic view, balance-available: a reduce over the whole log, recomputed per query on PouchDB Server
        try {
            var fromView = store.balancesFromLog();
            for (var account : all) {
                long b = fromLog.getOrDefault(account, 0L);
                long v = fromView.getOrDefault(account, 0L);
                if (b != v) {
                    mismatches.add(account + ": " + v + " in the balance-available view, " + b + " from the log");
                }
            }
        } catch (RuntimeException e) {
            notes.add("the balance-available view could not be read (" + e.getClass().getSimpleName()
                    + "); the head was compared with the log only");
        }
        // what open reservations hold: the head's amounts against the reservations and settlements of the log
        var reserved = head.reserved();
        var reservedFromLog = log.reserved();
        var holders = new TreeSet<>(reserved.keySet());
        holders.addAll(reservedFromLog.keySet());
        for (var account : holders) {
            long a = reserved.getOrDefault(account, 0L);
            long b = reservedFromLog.getOrDefault(account, 0L);
            if (a != b) {
                mismatches.add(account + ": " + a + " reserved at the head, " + b + " by the open reservations of the log");
            }
        }
        var negatives = new ArrayList<String>();
        head.balances().forEach((account, balance) -> {
            if (balance < 0 && !Boolean.TRUE.equals(rules.get(account))) {
                negatives.add(account + ": " + balance + " at the head");
            }
        });
        reserved.forEach((account, held) -> {
            long available = head.balance(account) - held;
            if (available < 0 && !Boolean.TRUE.equals(rules.get(account))) {
                negatives.add(account + ": " + available + " available at the head (" + held + " reserved)");
            }
        });
        // the log too: a head that lost decisions (a double spend) can look right while the log does not
        fromLog.forEach((account, balance) -> {
            if (balance < 0 && !Boolean.TRUE.equals(rules.get(account))) {
                negatives.add(account + ": " + balance + " by the log");
            }
        });
        var places = log.places();
        var placeProblems = new ArrayList<String>();
        for (int i = 0; i < places.size(); i++) {
            if (places.get(i) != i + 1) {
                placeProblems.add("place " + (i + 1) + " holds " + places.get(i) + " (a gap or a place decided twice)");
                break;
            }
        }
        if (places.size() != head.seq()) {
            placeProblems.add(places.size() + " decided transfers in the log, " + head.seq() + " at the head");
        }
        var stale = log.pending().stream().filter(t -> t.timestamp().isBefore(staleBefore)).limit(100).toList();
        long sumHead = head.balances().values().stream().mapToLong(Long::longValue).sum();
        long sumLog = fromLog.values().stream().mapToLong(Long::longValue).sum();
        var ok = mismatches.isEmpty() && negatives.isEmpty() && placeProblems.isEmpty() && stale.isEmpty() && sumHead == 0 && sumLog == 0;
        return new InvariantReport(ok, head.seq(), sumHead, sumLog, new TreeMap<>(head.balances()), fromLog, new TreeMap<>(reserved),
                reservedFromLog, mismatches, negatives, stale, placeProblems, notes);
    }

}
