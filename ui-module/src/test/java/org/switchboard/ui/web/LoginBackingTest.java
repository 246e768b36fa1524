package org.switchboard.ui.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoginBackingTest {

    @ParameterizedTest
    @CsvSource(nullValues = "NULL", value = {
        "/admin/jobs/, /admin/jobs/",
        "/boards/x?a=1, /boards/x?a=1",
        "NULL, /admin/",
        "https://evil.example/, /admin/",
        "//evil.example/, /admin/",
        "/\\evil.example, /admin/",
        "/login.xhtml, /admin/",
    })
    void afterLoginOnlyLocalPathsAreFollowed(String next, String expected) {
        var backing = new LoginBacking();
        backing.setNext(next);
        assertThat(backing.safeNext()).isEqualTo(expected);
    }
}
