package dev.ecsmigrate;

import dev.ecsmigrate.testing.Script;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The aws CLI the script suites run with. scripts/test.sh runs them under both major versions and names
 * the one it put on PATH in -Daws.cli.expected, so a pass that claims v2 has really run v2.
 */
class AwsCliIT {

    @Test
    void theAwsCliOnPath_isTheVersionThisPassClaims() {
        Script version = Script.startCommand(List.of("aws", "--version"), Script.baseEnvironment());

        assertThat(version.exitCode()).as(version.output()).isZero();
        Matcher major = Pattern.compile("aws-cli/(\\d+)\\.\\d+\\.\\d+").matcher(version.output());
        assertThat(major.find()).as(version.output()).isTrue();
        String expected = System.getProperty("aws.cli.expected");
        if (expected != null) {
            assertThat(major.group(1)).as("the aws CLI on PATH: " + version.output().strip()).isEqualTo(expected);
        }
        System.out.println("script suites run with " + version.output().strip());
    }
}
