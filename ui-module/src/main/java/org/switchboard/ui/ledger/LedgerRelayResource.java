package org.switchboard.ui.ledger;

import jakarta.annotation.security.PermitAll;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.switchboard.ledger.boundary.Ledger;

/**
 * Where the other nodes of the ledger send their callers' transfers when this node decides
 * ({@code switchboard.ledger.relay-url} names it). Not a user's API: it takes no login, only the
 * secret the nodes share ({@code switchboard.ledger.relay-secret}), and is off without it (404).
 */
@Path("ledger/relay")
@RequestScoped
@PermitAll
public class LedgerRelayResource {

    /** A relayed transfer is a few hundred bytes; reading one byte past the ledger's own limit is enough to refuse a larger one. */
    private static final int READ_AT_MOST = 8192;

    @Inject
    Ledger ledger;

    @POST
    @Operation(hidden = true)
    public Response relay(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, InputStream body) throws IOException {
        String text;
        try (body) {
            text = new String(body.readNBytes(READ_AT_MOST), StandardCharsets.UTF_8);
        }
        var answer = ledger.relayed(authorization, text);
        return Response.status(answer.status()).type(answer.contentType()).entity(answer.body()).build();
    }
}
