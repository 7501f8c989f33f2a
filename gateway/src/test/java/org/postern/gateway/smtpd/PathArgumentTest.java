package org.postern.gateway.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PathArgumentTest {
    @Test
    void forms() {
        assertThat(PathArgument.parse("FROM:<a@b> SIZE=1", "FROM:")).contains(new PathArgument("a@b", "SIZE=1"));
        assertThat(PathArgument.parse("from: <a@b>", "FROM:")).contains(new PathArgument("a@b", ""));
        assertThat(PathArgument.parse("FROM:<>", "FROM:")).contains(new PathArgument("", ""));
        assertThat(PathArgument.parse("TO:a@b NOTIFY=NEVER", "TO:")).contains(new PathArgument("a@b", "NOTIFY=NEVER"));
        assertThat(PathArgument.parse("TO:<\"a>b\"@c>", "TO:")).contains(new PathArgument("\"a>b\"@c", ""));
    }

    @Test
    void malformed() {
        assertThat(PathArgument.parse("FROM <a@b>", "FROM:")).isEmpty();
        assertThat(PathArgument.parse("FROM:<a@b", "FROM:")).isEmpty();
        assertThat(PathArgument.parse("FROM:<a@b>x", "FROM:")).isEmpty();
        assertThat(PathArgument.parse("FROM:<<a@b>>", "FROM:")).isEmpty();
        assertThat(PathArgument.parse("FROM:", "FROM:")).isEmpty();
    }
}
