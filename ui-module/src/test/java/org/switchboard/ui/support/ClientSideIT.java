package org.switchboard.ui.support;

import java.net.URI;
import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** A test class that talks to the deployed WAR from outside, over HTTP: one Payara Micro start per class. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
public abstract class ClientSideIT {

    @Deployment(testable = false)
    public static WebArchive deployment() {
        return Deployed.war();
    }

    @ArquillianResource
    protected URL url;

    /** The application's base URL on 127.0.0.1, ending in a slash. */
    protected URI base;

    @BeforeEach
    protected void base() {
        base = Deployed.base(url);
    }
}
