package org.switchboard.ui.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;
import org.switchboard.ui.support.Deployed;
import org.switchboard.ui.support.PayaraNode;

/** A session begun over TLS, or behind a proxy on an https public address, gets a cookie that is never sent without TLS. */
class SessionCookieIT {

    @Test
    void aSessionCookieSetOverTlsIsSecureAndSameSiteLax() throws Exception {
        try (var node = PayaraNode.startWithTls()) {
            var overTls = trustingClient().send(HttpRequest.newBuilder(node.tlsBase().resolve("login.xhtml")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(overTls.statusCode()).isEqualTo(200);
            assertThat(overTls.headers().allValues("Set-Cookie")).singleElement().satisfies(cookie -> assertThat(cookie)
                    .startsWith("JSESSIONID=").contains("Secure").contains("HttpOnly").contains("SameSite=Lax"));

            var plain = Deployed.get(node.base().resolve("login.xhtml"));
            assertThat(plain.headers().allValues("Set-Cookie")).singleElement().satisfies(cookie -> assertThat(cookie)
                    .startsWith("JSESSIONID=").doesNotContain("Secure").contains("SameSite=Lax"));
        }
    }

    @Test
    void behindAProxyThatEndsTlsThePublicHttpsAddressMakesTheCookieSecure() {
        try (var node = PayaraNode.start(java.util.Map.of("switchboard.public-url", "https://switchboard.example"))) {
            var viaProxy = Deployed.get(node.base().resolve("login.xhtml"), "X-Forwarded-Proto", "https");
            assertThat(viaProxy.headers().allValues("Set-Cookie")).singleElement().satisfies(cookie -> assertThat(cookie)
                    .startsWith("JSESSIONID=").contains("Secure").contains("HttpOnly").contains("SameSite=Lax"));
        }
    }

    /** Payara Micro's certificate is self-signed: this client trusts any, for this one loopback test. */
    private static HttpClient trustingClient() throws Exception {
        // an extended trust manager checks the host name itself (here: not at all); a plain one gets the JDK's check
        var trustAll = new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        var context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trustAll}, new SecureRandom());
        return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
    }
}
