package org.switchboard.ui.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** The REST API, under {@code /api}; its description is served at {@code /openapi}. */
@ApplicationPath("api")
@OpenAPIDefinition(info = @Info(title = "Switchboard", version = "0.1.0",
        description = "Chat rooms, job queues, notice boards and a ledger. Calls that change state need the admin login (HTTP Basic)."))
@SecurityScheme(securitySchemeName = ApiApplication.BASIC, type = SecuritySchemeType.HTTP, scheme = "basic")
public class ApiApplication extends Application {

    public static final String BASIC = "basic";

    /**
     * Jersey's own feature enforces {@code @RolesAllowed} on resources. Jersey's WADL is off: it
     * described every endpoint, the admin ones too, to anyone ({@code /openapi} is the description).
     * A relative {@code Location} stays relative: Jersey would complete it with the request's
     * {@code Host} (see {@link PublicUrl}).
     */
    @Override
    public Map<String, Object> getProperties() {
        return Map.of("jersey.config.server.provider.classnames", "org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature",
                "jersey.config.server.wadl.disableWadl", true,
                "jersey.config.server.headers.location.relative.resolution.disabled", true);
    }
}
