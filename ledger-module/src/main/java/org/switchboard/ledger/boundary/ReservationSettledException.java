package org.switchboard.ledger.boundary;

/**
 * A post or a void of a reservation that is not open: settled already (by a post, a void or its
 * expiry), rejected, or not two-phase. {@code reservation} carries its final state.
 */
public class ReservationSettledException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Ledger.Reservation reservation;

    public ReservationSettledException(Ledger.Reservation reservation, String message) {
        super(message);
        this.reservation = reservation;
    }

    public Ledger.Reservation reservation() {
        return reservation;
    }
}
