package dev.ecsmigrate.contract;

import java.util.regex.Pattern;

/** The shapes of AWS names the runner checks: regions, accounts, and which partition a region belongs to. */
public final class AwsNames {

    /** A region name, such as us-east-1, cn-north-1, us-gov-west-1 or eusc-de-east-1. */
    public static final String REGION = "[a-z]{2,4}(?:-[a-z]+)+-\\d{1,2}";
    public static final Pattern REGION_PATTERN = Pattern.compile(REGION);
    /** An account id. */
    public static final String ACCOUNT = "\\d{12}";
    /** The partitions ECS ARNs can name. */
    public static final String PARTITION = "aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc";

    private AwsNames() {
    }

    /** The partition a region belongs to, from the region's prefix. */
    public static String partitionOf(String region) {
        if (region.startsWith("cn-")) {
            return "aws-cn";
        }
        if (region.startsWith("us-gov-")) {
            return "aws-us-gov";
        }
        if (region.startsWith("us-iso-")) {
            return "aws-iso";
        }
        if (region.startsWith("us-isob-")) {
            return "aws-iso-b";
        }
        if (region.startsWith("eu-isoe-")) {
            return "aws-iso-e";
        }
        if (region.startsWith("us-isof-")) {
            return "aws-iso-f";
        }
        if (region.startsWith("eusc-")) {
            return "aws-eusc";
        }
        return "aws";
    }
}
