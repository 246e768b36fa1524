package org.switchboard.ui.metrics;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.ext.Provider;

/**
 * Names the route an API request matched, for {@link HttpMetrics}: {@code /api/} and the resource's
 * and method's {@code @Path} templates, as declared. A request property, which the servlet container
 * keeps as a request attribute. First among the filters, so that a request the role check refuses is
 * named too.
 */
@Provider
@Priority(1)
public class RouteTemplate implements ContainerRequestFilter {

    @Context
    ResourceInfo resource;

    @Override
    public void filter(ContainerRequestContext request) {
        var type = resource.getResourceClass();
        var method = resource.getResourceMethod();
        if (type == null || method == null) {
            return;
        }
        var route = new StringBuilder("/api");
        append(route, type.getAnnotation(Path.class));
        append(route, method.getAnnotation(Path.class));
        request.setProperty(HttpMetrics.ROUTE, route.toString());
    }

    private static void append(StringBuilder route, Path path) {
        if (path == null) {
            return;
        }
        var template = path.value().replaceAll("^/+|/+$", "");
        if (!template.isEmpty()) {
            route.append('/').append(template);
        }
    }
}
