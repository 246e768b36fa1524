package org.switchboard.ledger.entity;

/** An account with its balance in minor units; only an account that may go negative (an issuer) ever does. */
public record Account(String id, long balance, boolean allowNegative) {
}
