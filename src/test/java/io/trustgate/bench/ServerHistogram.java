package io.trustgate.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * trustgate's own view of its reviews: the {@code trustgate_review_duration_seconds} histogram scraped from
 * {@code /q/metrics}, summed over verdicts. Two scrapes give the reviews of the period between them.
 * Micrometer's buckets start at 1 ms, so a percentile below 1 ms reads as "at most 1 ms".
 */
record ServerHistogram(TreeMap<Double, Double> buckets, double count, double sum, Map<String, Double> countByVerdict) {

    private static final Pattern BUCKET =
            Pattern.compile("^trustgate_review_duration_seconds_bucket\\{([^}]*)\\} ([0-9.eE+-]+)");
    private static final Pattern COUNT =
            Pattern.compile("^trustgate_review_duration_seconds_(count|sum)\\{([^}]*)\\} ([0-9.eE+-]+)");
    private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");
    private static final Pattern VERDICT = Pattern.compile("verdict=\"([^\"]+)\"");

    static ServerHistogram parse(String prometheusText) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        Map<String, Double> byVerdict = new TreeMap<>();
        double count = 0;
        double sum = 0;
        for (String line : prometheusText.split("\n", -1)) {
            Matcher b = BUCKET.matcher(line);
            if (b.find()) {
                Matcher le = LE.matcher(b.group(1));
                if (le.find()) {
                    double bound =
                            le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
                    buckets.merge(bound, Double.parseDouble(b.group(2)), Double::sum);
                }
                continue;
            }
            Matcher c = COUNT.matcher(line);
            if (c.find()) {
                double v = Double.parseDouble(c.group(3));
                if (c.group(1).equals("count")) {
                    count += v;
                    Matcher verdict = VERDICT.matcher(c.group(2));
                    if (verdict.find()) {
                        byVerdict.merge(verdict.group(1), v, Double::sum);
                    }
                } else {
                    sum += v;
                }
            }
        }
        return new ServerHistogram(buckets, count, sum, byVerdict);
    }

    /** No reviews: the start of a sum. */
    static ServerHistogram empty() {
        return new ServerHistogram(new TreeMap<>(), 0, 0, Map.of());
    }

    /** The reviews of two periods together. */
    ServerHistogram plus(ServerHistogram other) {
        TreeMap<Double, Double> b = new TreeMap<>(buckets);
        other.buckets.forEach((le, v) -> b.merge(le, v, Double::sum));
        Map<String, Double> v = new TreeMap<>(countByVerdict);
        other.countByVerdict.forEach((k, n) -> v.merge(k, n, Double::sum));
        return new ServerHistogram(b, count + other.count, sum + other.sum, v);
    }

    /** What was recorded after {@code earlier}. */
    ServerHistogram minus(ServerHistogram earlier) {
        TreeMap<Double, Double> b = new TreeMap<>();
        buckets.forEach((le, v) -> b.put(le, v - earlier.buckets.getOrDefault(le, 0.0)));
        Map<String, Double> v = new TreeMap<>();
        countByVerdict.forEach((k, n) -> v.put(k, n - earlier.countByVerdict.getOrDefault(k, 0.0)));
        return new ServerHistogram(b, count - earlier.count, sum - earlier.sum, v);
    }

    /** The upper bound (seconds) of the bucket that holds the q-quantile (q in 0..1). */
    double quantileUpperBound(double q) {
        double target = q * count;
        for (Map.Entry<Double, Double> e : buckets.entrySet()) {
            if (e.getValue() >= target) {
                return e.getKey();
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /** Share of reviews that took at most {@code seconds} (a bucket bound). */
    double shareAtMost(double seconds) {
        Double n = buckets.get(seconds);
        return n == null || count == 0 ? Double.NaN : n / count;
    }

    double meanSeconds() {
        return count == 0 ? Double.NaN : sum / count;
    }

    List<Double> bounds() {
        return new ArrayList<>(buckets.keySet());
    }
}
