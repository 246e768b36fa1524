package org.switchboard.ledger.entity;

import java.util.List;
import java.util.Map;

/**
 * The ledger checked against its log: every balance recomputed from the successful transfers and
 * compared with the head's, the sum of all balances (zero: money is neither made nor lost), what the
 * open reservations hold per account ({@code reserved}, at the head and from the log), accounts below
 * zero (balance or available) that may not be, transfers pending for too long, and the places of the decided transfers
 * (1 to {@code decided}, each once: every transfer decided exactly once). {@code notes}: what could not
 * be compared (the classic reduce view, when the server cannot answer it in time).
 */
public record InvariantReport(boolean ok, long decided, long sumOfBalances, long sumFromLog, Map<String, Long> balances,
                              Map<String, Long> balancesFromLog, Map<String, Long> reserved, Map<String, Long> reservedFromLog, List<String> mismatches, List<String> forbiddenNegatives,
                              List<Transfer> stalePending, List<String> placeProblems, List<String> notes) {
}
