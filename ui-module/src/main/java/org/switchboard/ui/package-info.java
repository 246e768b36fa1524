/**
 * The web application: it composes the pattern modules into one WAR and owns everything that is
 * about the deployment rather than a pattern.
 *
 * <ul>
 * <li>{@code platform}: the one producer per client (Redisson, LightCouch, the SQL datasource), all
 * configured through MicroProfile Config, and the readiness checks. Clients connect lazily, so the
 * application deploys and reports "not ready" while a server is down, then recovers by itself.</li>
 * <li>{@code security}: one admin account whose password comes from configuration (or is generated
 * once into the data folder); form login for pages, HTTP Basic for the API.</li>
 * <li>{@code api}: the JAX-RS application under {@code /api} and the mappers that turn every error
 * into RFC 9457 {@code application/problem+json}.</li>
 * <li>{@code web}: the Faces backing beans of the shell pages.</li>
 * </ul>
 * Pattern features live in their own packages ({@code ui.chat}, {@code ui.boards}, ...), REST resource
 * and page beans side by side.
 */
package org.switchboard.ui;
