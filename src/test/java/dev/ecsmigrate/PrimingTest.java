package dev.ecsmigrate;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.ecsmigrate.config.RunnerConfig;
import dev.ecsmigrate.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/** Priming runs every per-event path and sends nothing. */
class PrimingTest {

    @Test
    void prime_marshalsEveryCallTheFunctionMakes_andSendsNone() {
        WireMockServer endpoint = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        endpoint.start();
        try {
            Map<String, String> env = Fixtures.with(Fixtures.env(), "AWS_ENDPOINT_URL", endpoint.baseUrl());
            RunnerConfig config = Fixtures.config(env);

            int stopped = new Priming(config, Fixtures.validator(config)).prime();

            assertThat(stopped).isEqualTo(6);
            assertThat(endpoint.getAllServeEvents()).isEmpty();
        } finally {
            endpoint.stop();
        }
    }

    @Test
    void prime_withServiceNamed_alsoPrimesDescribeServices() {
        Map<String, String> env = Fixtures.with(Fixtures.with(Fixtures.env(), "SUBNETS", null), "NETWORK_FROM_SERVICE", "web");
        RunnerConfig config = Fixtures.config(Fixtures.with(env, "AWS_ENDPOINT_URL", "http://127.0.0.1:9"));

        assertThat(new Priming(config, Fixtures.validator(config)).prime()).isEqualTo(7);
    }
}
