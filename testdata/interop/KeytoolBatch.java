import java.nio.file.*;
import java.util.*;

/**
 * Runs many keytool commands in one JVM, so that making the signing fixtures
 * costs one Java start-up instead of forty. Each command goes through
 * keytool's own entry point (sun.security.tools.keytool.Main.main), exactly
 * as `keytool ARGS...` would run it; nothing is done outside keytool.
 *
 * Usage:
 *   java --add-exports java.base/sun.security.tools.keytool=ALL-UNNAMED \
 *        KeytoolBatch.java COMMANDS-FILE
 *
 * COMMANDS-FILE holds one keytool command per line, its arguments separated
 * by tabs (no quoting needed). Each command is echoed to standard error as
 * "$ keytool ARGS" before it runs. keytool's Main returns on success and
 * calls System.exit with its exit code on failure, so a failing command ends
 * the batch there, with keytool's own message just after the command's echo.
 */
public class KeytoolBatch {
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java --add-exports java.base/sun.security.tools.keytool=ALL-UNNAMED KeytoolBatch.java COMMANDS-FILE");
            System.exit(2);
        }
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (line.isBlank()) continue;
            String[] command = line.split("\t");
            System.err.println("$ keytool " + String.join(" ", command));
            sun.security.tools.keytool.Main.main(command);
        }
    }
}
