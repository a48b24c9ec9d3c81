package dev.fulcrum.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random mutations of the valid example files: whatever the damage, the loader answers with a
 * configuration or with clean errors that point into the file, never with another exception and
 * never by hanging. Seeded, so a failure names the seed and the mutant that reproduce it.
 */
class ConfigFuzzTest {

    private static final int MUTANTS_PER_FILE = 600;
    private static final String[] NOISE = {":", "-", " ", "\n", "{", "}", "[", "]", "\"", "'", "&a", "*a", "!!str",
            "#", "0", "-1", "99999999999999999999", "\t", "~", "null", "true", "1.5", "0x10", "%", "@", "|", ">",
            "? ", "<<: *a", "\u0000", "\uFEFF", "é", "..", "/", "\\", ",", "!!binary", "&"};

    @Test
    @Timeout(120)
    void mutantsOfTheExamplesGiveAConfigurationOrCleanErrorsNeverAnotherFailure() throws Exception {
        long seed = Long.getLong("fulcrum.fuzz.seed", 20261128L);
        Random random = new Random(seed);
        Path dir = SchemaTest.examplesDir();
        int errors = 0;
        int valid = 0;
        for (Path file : SchemaTest.examples().toList()) {
            String original = Files.readString(file);
            for (int i = 0; i < MUTANTS_PER_FILE; i++) {
                String mutant = mutate(original, random);
                long started = System.nanoTime();
                try {
                    ConfigLoader.parse(file.getFileName().toString(), mutant, dir);
                    valid++;
                } catch (ConfigException e) {
                    errors++;
                    assertThat(e.errors()).as("errors of:%n%s", mutant).isNotEmpty();
                    for (ConfigError error : e.errors()) {
                        assertThat(error.message()).as("message of %s in:%n%s", error, mutant).isNotBlank();
                        assertThat(error.location().line()).as("line of %s", error).isPositive();
                        assertThat(error.toString()).startsWith(file.getFileName() + ":");
                    }
                } catch (RuntimeException | StackOverflowError e) {
                    fail("seed " + seed + ", " + file.getFileName() + " mutant " + i + " threw " + e
                            + " instead of clean errors:\n" + mutant, e);
                }
                assertThat(Duration.ofNanos(System.nanoTime() - started)).as("parse time of:%n%s", mutant)
                        .isLessThan(Duration.ofSeconds(5));
            }
        }
        // Both outcomes occur: the mutations reach past the first syntax check.
        assertThat(errors).isPositive();
        assertThat(valid).isPositive();
    }

    /** One to three edits: a character in or out, a token swapped, lines duplicated, swapped or cut. */
    static String mutate(String text, Random random) {
        String out = text;
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            if (out.isEmpty()) {
                return NOISE[random.nextInt(NOISE.length)];
            }
            int at = random.nextInt(out.length());
            switch (random.nextInt(7)) {
                case 0 -> out = out.substring(0, at) + out.substring(at + 1);
                case 1 -> out = out.substring(0, at) + NOISE[random.nextInt(NOISE.length)] + out.substring(at);
                case 2 -> out = replaceToken(out, at, NOISE[random.nextInt(NOISE.length)]);
                case 3 -> out = lines(out, random, "duplicate");
                case 4 -> out = lines(out, random, "swap");
                case 5 -> out = lines(out, random, "drop");
                default -> out = out.substring(0, at);
            }
        }
        return out;
    }

    private static String replaceToken(String text, int at, String with) {
        int start = at;
        while (start > 0 && Character.isLetterOrDigit(text.charAt(start - 1))) {
            start--;
        }
        int end = at;
        while (end < text.length() && Character.isLetterOrDigit(text.charAt(end))) {
            end++;
        }
        return text.substring(0, start) + with + text.substring(end);
    }

    private static String lines(String text, Random random, String how) {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        int a = random.nextInt(lines.size());
        int b = random.nextInt(lines.size());
        switch (how) {
            case "duplicate" -> lines.add(b, lines.get(a));
            case "swap" -> {
                String keep = lines.get(a);
                lines.set(a, lines.get(b));
                lines.set(b, keep);
            }
            default -> lines.remove(a);
        }
        return String.join("\n", lines);
    }
}
