package org.switchboard.ledger.boundary;

/** The answer to a transfer another node relayed here ({@link Ledger#relayed}): the HTTP status, content type and body to send back. */
public record RelayAnswer(int status, String contentType, String body) {
}
