import java.io.*;
import java.security.CodeSigner;
import java.security.cert.X509Certificate;
import java.util.*;
import java.util.jar.*;

/**
 * Reads a signed JAR the way a Java server does, and says whether every entry
 * is signed. Reading an entry to its end is what makes Java check it against
 * the manifest and the signature files; a mismatch throws a
 * SecurityException.
 *
 * Usage: java JarCheck.java [--stream] FILE...
 *
 *   (default)  new JarFile(file, true): reads every entry fully, then asks
 *              for its code signers.
 *   --stream   new JarInputStream(in, true): getManifest() must not be null
 *              (JarInputStream finds META-INF/MANIFEST.MF only when it is the
 *              first entry, or the second after META-INF/), then every entry
 *              is read fully and asked for its code signers.
 *
 * Each entry that must be signed is listed as "signed NAME by SUBJECT" or
 * "UNSIGNED NAME". Directories and the signature's own files (directly in
 * META-INF/: MANIFEST.MF, *.SF, *.RSA, *.DSA, *.EC, SIG-*, INDEX.LIST) need
 * no signature; every other entry, in META-INF/ or not, does. Each problem is
 * one line "FAIL FILE: ...", and each file ends with "ok FILE (N signed
 * entries)" or "FAIL FILE (K problems)". Exit 0 when every file passes: all
 * reads succeeded and every entry that must be signed is signed; 1 otherwise.
 */
public class JarCheck {
    static void drain(InputStream in) throws IOException {
        byte[] buf = new byte[8192];
        while (in.read(buf) >= 0) {
        }
    }

    /** The files of a signature itself, which nothing signs. */
    static boolean signatureFile(String name) {
        if (!name.startsWith("META-INF/") || name.indexOf('/', 9) >= 0) return false;
        String n = name.substring(9).toUpperCase(Locale.ROOT);
        return n.equals("MANIFEST.MF") || n.equals("INDEX.LIST") || n.startsWith("SIG-")
                || n.endsWith(".SF") || n.endsWith(".RSA") || n.endsWith(".DSA") || n.endsWith(".EC");
    }

    static String signers(CodeSigner[] signers) {
        StringBuilder out = new StringBuilder();
        for (CodeSigner s : signers) {
            if (out.length() > 0) out.append("; ");
            X509Certificate c = (X509Certificate) s.getSignerCertPath().getCertificates().get(0);
            out.append(c.getSubjectX500Principal().getName());
        }
        return out.toString();
    }

    final String path;
    final List<String> problems = new ArrayList<>();
    int signed = 0;

    JarCheck(String path) {
        this.path = path;
    }

    void problem(String what) {
        problems.add(what);
        System.out.println("FAIL " + path + ": " + what);
    }

    void entry(JarEntry e, CodeSigner[] codeSigners) {
        if (e.isDirectory() || signatureFile(e.getName())) return;
        if (codeSigners == null || codeSigners.length == 0) {
            System.out.println("UNSIGNED " + e.getName());
            problem(e.getName() + ": not signed");
        } else {
            System.out.println("signed " + e.getName() + " by " + signers(codeSigners));
            signed++;
        }
    }

    void viaFile() throws IOException {
        try (JarFile jar = new JarFile(new File(path), true)) {
            for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements();) {
                JarEntry e = en.nextElement();
                try (InputStream in = jar.getInputStream(e)) {
                    drain(in);
                } catch (IOException | SecurityException ex) {
                    problem(e.getName() + ": " + ex);
                    continue;
                }
                entry(e, e.getCodeSigners());
            }
        }
    }

    void viaStream() throws IOException {
        try (JarInputStream jin = new JarInputStream(new BufferedInputStream(new FileInputStream(path)), true)) {
            if (jin.getManifest() == null) problem("JarInputStream found no manifest (none, or META-INF/MANIFEST.MF is not the first entry)");
            JarEntry e;
            while (true) {
                try {
                    e = jin.getNextJarEntry();
                } catch (IOException | SecurityException ex) {
                    problem("next entry: " + ex);
                    return;
                }
                if (e == null) break;
                try {
                    drain(jin);
                } catch (IOException | SecurityException ex) {
                    problem(e.getName() + ": " + ex);
                    continue;
                }
                entry(e, e.getCodeSigners());
            }
        }
    }

    public static void main(String[] args) {
        boolean stream = false;
        List<String> files = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--stream")) stream = true;
            else files.add(a);
        }
        if (files.isEmpty()) {
            System.err.println("usage: java JarCheck.java [--stream] FILE...");
            System.exit(2);
        }
        boolean ok = true;
        for (String path : files) {
            JarCheck check = new JarCheck(path);
            try {
                if (stream) check.viaStream();
                else check.viaFile();
            } catch (Exception ex) {
                check.problem(ex.toString());
            }
            if (check.problems.isEmpty()) {
                System.out.println("ok " + path + " (" + check.signed + " signed entries)");
            } else {
                ok = false;
                System.out.println("FAIL " + path + " (" + check.problems.size() + " problems)");
            }
        }
        System.exit(ok ? 0 : 1);
    }
}
