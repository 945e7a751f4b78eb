import java.io.*;
import java.util.*;
import java.util.zip.*;

/**
 * What Java's two zip readers make of a file, each on its own, with nothing
 * added: java.util.zip.ZipFile (the central directory; it checks neither
 * CRC-32 nor sizes while reading) and ZipInputStream (the local headers from
 * the start of the file; it checks CRC-32 and sizes). Nested archives are not
 * opened: interop/readers.py probes them as files of their own.
 *
 * Usage: java ReadersProbe.java [zipfile|zipinputstream|both] FILE...
 * Prints one line per file and reader, tab-separated:
 *
 *     reader  file  ok|refuse  entries-read  detail
 *
 * For ZipFile, the detail says where the bytes read differ from the size or
 * CRC-32 the central directory declares (ZipFile does not refuse them). For
 * a refusal, it is the exception. Exit 0 unless the arguments are wrong.
 * interop/ZipCheck.java is the strict checker the other tests use.
 */
public class ReadersProbe {
    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) out.write(buf, 0, n);
        return out.toByteArray();
    }

    static String why(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m.replace('\t', ' ').replace('\n', ' '));
    }

    static void zipFile(String path) {
        int count = 0;
        List<String> notes = new ArrayList<>();
        try (ZipFile zf = new ZipFile(path)) {
            for (Enumeration<? extends ZipEntry> en = zf.entries(); en.hasMoreElements();) {
                ZipEntry e = en.nextElement();
                byte[] data;
                try (InputStream in = zf.getInputStream(e)) {
                    data = readAll(in);
                }
                if (e.getSize() != -1 && data.length != e.getSize()) {
                    notes.add(e.getName() + " reads " + data.length + " bytes, " + e.getSize() + " declared");
                }
                CRC32 crc = new CRC32();
                crc.update(data);
                if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
                    notes.add(e.getName() + " data does not match its CRC-32");
                }
                count++;
            }
            System.out.println("zipfile\t" + path + "\tok\t" + count + "\t" + String.join("; ", notes));
        } catch (Throwable t) {
            System.out.println("zipfile\t" + path + "\trefuse\t" + count + "\t" + why(t));
        }
    }

    static void zipInputStream(String path) {
        int count = 0;
        try (ZipInputStream zin = new ZipInputStream(new BufferedInputStream(new FileInputStream(path)))) {
            while (zin.getNextEntry() != null) {
                readAll(zin);
                count++;
            }
            System.out.println("zipinputstream\t" + path + "\tok\t" + count + "\t");
        } catch (Throwable t) {
            System.out.println("zipinputstream\t" + path + "\trefuse\t" + count + "\t" + why(t));
        }
    }

    public static void main(String[] args) {
        if (args.length < 1 || !List.of("zipfile", "zipinputstream", "both").contains(args[0])) {
            System.err.println("usage: java ReadersProbe.java [zipfile|zipinputstream|both] FILE...");
            System.exit(2);
        }
        for (int i = 1; i < args.length; i++) {
            if (!args[0].equals("zipinputstream")) zipFile(args[i]);
            if (!args[0].equals("zipfile")) zipInputStream(args[i]);
        }
    }
}
