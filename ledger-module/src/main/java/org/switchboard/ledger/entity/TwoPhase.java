package org.switchboard.ledger.entity;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The two-phase part of a transfer. A reservation ({@link Step#RESERVE}) holds its amount on the
 * sender, against its available balance, from the moment it is decided until it is settled. A
 * settlement ({@link Step#POST}, {@link Step#VOID} or {@link Step#EXPIRE}) is a transfer of the log
 * too, under the reservation's id and its step ({@link #settlementOf}): a post sent again is the same
 * transfer, and answers the same. The head knows which reservations are open, so of the settlements
 * of one reservation the first decided settles it and the others are rejected: it is settled once.
 *
 * @param pendingId      the reservation a settlement settles (null for a reservation)
 * @param timeoutSeconds how long a reservation holds once decided (0 for a settlement)
 * @param held           the amount the settled reservation holds (0 for a reservation)
 * @param expiresAt      when the settled reservation times out (null for a reservation)
 */
public record TwoPhase(Step step, String pendingId, long timeoutSeconds, long held, Instant expiresAt) {

    public static final long MAX_TIMEOUT_SECONDS = 86_400;
    public static final long DEFAULT_TIMEOUT_SECONDS = 3_600;

    public enum Step {
        RESERVE, POST, VOID, EXPIRE;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Step ofWire(String text) {
            return valueOf(text.toUpperCase(Locale.ROOT));
        }
    }

    public static TwoPhase reserve(long timeoutSeconds) {
        return new TwoPhase(Step.RESERVE, null, timeoutSeconds, 0, null);
    }

    /** The settlement of a decided reservation: it carries what the decision needs of it (the reservation never changes). */
    public static TwoPhase settle(Step step, Transfer reservation) {
        return new TwoPhase(step, reservation.id(), 0, reservation.amount(), reservation.expiresAt());
    }

    public boolean reserves() {
        return step == Step.RESERVE;
    }

    /** The id of a reservation's settlement by {@code step}: the reservation's id, a '.', the step (no id a caller gives has a '.'). */
    public static String settlementOf(String reservationId, Step step) {
        return reservationId + "." + step.wire();
    }

    /** The ids of every settlement a reservation may have. */
    public static List<String> settlementsOf(String reservationId) {
        return List.of(settlementOf(reservationId, Step.POST), settlementOf(reservationId, Step.VOID), settlementOf(reservationId, Step.EXPIRE));
    }
}
