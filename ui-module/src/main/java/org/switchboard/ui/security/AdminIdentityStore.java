package org.switchboard.ui.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;
import java.util.Set;

/** The one account: user {@value #ADMIN}, role {@value #ADMIN}, password from {@link AdminPassword}. */
@ApplicationScoped
public class AdminIdentityStore implements IdentityStore {

    public static final String ADMIN = "admin";

    @Inject
    AdminPassword password;

    public CredentialValidationResult validate(UsernamePasswordCredential credential) {
        // check the password even for a wrong user name, so timing does not tell which was wrong
        var passwordOk = password.matches(credential.getPasswordAsString());
        if (passwordOk && ADMIN.equals(credential.getCaller())) {
            return new CredentialValidationResult(ADMIN, Set.of(ADMIN));
        }
        return CredentialValidationResult.INVALID_RESULT;
    }
}
