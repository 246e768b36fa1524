package org.switchboard.ledger.entity;

/**
 * An account with its balance in minor units (what posted and successful transfers moved), and the
 * amount its open reservations hold ({@code reserved}). Only an account that may go negative (an
 * issuer) ever has a negative balance or available amount.
 */
public record Account(String id, long balance, long reserved, boolean allowNegative) {

    /** What the account may still send or reserve: its balance less what its open reservations hold. */
    public long available() {
        return balance - reserved;
    }
}
