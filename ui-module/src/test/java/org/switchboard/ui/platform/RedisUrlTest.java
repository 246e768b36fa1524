package org.switchboard.ui.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;

class RedisUrlTest {

    @Test
    void aPlainUrlIsOneServerOnDatabaseZero() {
        var url = RedisUrl.parse("redis://127.0.0.1:6380");
        assertThat(url.nodes()).containsExactly("127.0.0.1:6380");
        assertThat(url.database()).isZero();
        assertThat(url.password()).isNull();
        Config config = url.toConfig();
        assertThat(config.useSingleServer().getAddress()).isEqualTo("redis://127.0.0.1:6380");
        assertThat(config.isLazyInitialization()).isTrue();
    }

    @Test
    void credentialsAndDatabaseAreRead() {
        var url = RedisUrl.parse("rediss://app:s%40cret@cache.example:6390/3");
        assertThat(url.user()).isEqualTo("app");
        assertThat(url.password()).isEqualTo("s@cret");
        assertThat(url.database()).isEqualTo(3);
        assertThat(url.toConfig().useSingleServer().getAddress()).isEqualTo("rediss://cache.example:6390");
    }

    @Test
    void theDefaultPortIsAdded() {
        assertThat(RedisUrl.parse("redis://cache").nodes()).containsExactly("cache:6379");
    }

    @Test
    void sentinelNamesItsMasterAndSeveralSentinels() {
        var url = RedisUrl.parse("redis-sentinel://:pw@s1:26379,s2:26379/mymaster/2");
        assertThat(url.nodes()).containsExactly("s1:26379", "s2:26379");
        assertThat(url.master()).isEqualTo("mymaster");
        assertThat(url.database()).isEqualTo(2);
        assertThat(url.password()).isEqualTo("pw");
        assertThat(url.toConfig().isSentinelConfig()).isTrue();
        assertThat(url.toConfig().useSentinelServers().getReadMode()).as("a replica lags: reads go where the writes went")
                .isEqualTo(ReadMode.MASTER);
    }

    @Test
    void clusterTakesSeveralNodes() {
        var url = RedisUrl.parse("redis-cluster://n1:7000,n2:7001");
        assertThat(url.nodes()).containsExactly("n1:7000", "n2:7001");
        assertThat(url.toConfig().isClusterConfig()).isTrue();
        assertThat(url.toConfig().useClusterServers().getReadMode()).as("a replica lags: reads go where the writes went")
                .isEqualTo(ReadMode.MASTER);
    }

    @Test
    void theRedactedFormHidesThePassword() {
        assertThat(RedisUrl.parse("redis://app:secret@h:1/2").redacted()).isEqualTo("redis://app:***@h:1/2").doesNotContain("secret");
        assertThat(RedisUrl.parse("redis://h:1").redacted()).isEqualTo("redis://h:1");
    }

    @Test
    void badUrlsAreRefusedWithAReason() {
        assertThatThrownBy(() -> RedisUrl.parse("http://h:1")).hasMessageContaining("REDIS_URL must start with");
        assertThatThrownBy(() -> RedisUrl.parse("redis-sentinel://s1:26379")).hasMessageContaining("names its master");
        assertThatThrownBy(() -> RedisUrl.parse("redis://")).isInstanceOf(IllegalArgumentException.class);
    }
}
