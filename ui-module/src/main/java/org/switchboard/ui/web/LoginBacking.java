package org.switchboard.ui.web;

import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.application.FacesMessage;
import jakarta.faces.context.ExternalContext;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.SecurityContext;
import jakarta.security.enterprise.authentication.mechanism.http.AuthenticationParameters;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.switchboard.ui.api.PublicUrl;
import org.switchboard.ui.security.SwitchboardAuthentication;

/** The login and logout forms. */
@Named
@RequestScoped
public class LoginBacking {

    @Inject
    SecurityContext security;

    @Inject
    FacesContext faces;

    @Inject
    PublicUrl urls;

    private String username = "admin";
    private String password;
    private String next;

    public String login() throws IOException {
        var external = faces.getExternalContext();
        var status = security.authenticate((HttpServletRequest) external.getRequest(), (HttpServletResponse) external.getResponse(),
                AuthenticationParameters.withParams().newAuthentication(true)
                        .credential(new UsernamePasswordCredential(username, password == null ? "" : password)));
        if (status == AuthenticationStatus.SUCCESS) {
            redirect(safeNext());
            return null;
        }
        var throttled = (Duration) external.getRequestMap().get(SwitchboardAuthentication.THROTTLED);
        var message = throttled == null ? "Wrong user name or password."
                : "Too many failed logins; try again in " + Math.max(1, throttled.toSeconds()) + " s.";
        faces.addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR, message, null));
        return null;
    }

    public void logout() throws IOException {
        ExternalContext external = faces.getExternalContext();
        external.invalidateSession();
        redirect("/");
    }

    private void redirect(String path) {
        var external = faces.getExternalContext();
        urls.redirect((HttpServletResponse) external.getResponse(), external.getRequestContextPath(), path);
        faces.responseComplete();
    }

    /** Only a path inside this application: never an open redirect to another site. */
    String safeNext() {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\") || next.startsWith("/login")) {
            return "/admin/";
        }
        return next;
    }

    /**
     * The one account is the admin, so a caller is logged in when it has a principal. Asked through
     * the role instead, the container throws on an error page's dispatch (a 404 for a logged-in admin
     * became a 500).
     */
    public boolean isLoggedIn() {
        return faces.getExternalContext().getUserPrincipal() != null;
    }

    public String getUsername() {
        return username;
    }

    public void setUsername(String username) {
        this.username = username;
    }

    public String getPassword() {
        return password;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    public String getNext() {
        return next;
    }

    public void setNext(String next) {
        this.next = next;
    }
}
