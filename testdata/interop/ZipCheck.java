import java.io.*;
import java.util.*;
import java.util.zip.*;

/**
 * Reads a zip the way Identity Manager (a Java application) can: with
 * java.util.zip.ZipFile and with ZipInputStream. Every entry is read to its
 * end; both classes check the CRC-32 while reading. Nested archives
 * (entries that are zips) are read the same way through ZipInputStream.
 *
 * Usage: java ZipCheck FILE...   Exit 0 if all pass; prints one line per file.
 */
public class ZipCheck {
    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) out.write(buf, 0, n);
        return out.toByteArray();
    }

    static boolean isZip(byte[] b) {
        return b.length >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4;
    }

    /** Reads every entry with ZipInputStream; returns the entry count. */
    static int stream(InputStream raw, String where) throws IOException {
        int count = 0;
        try (ZipInputStream zin = new ZipInputStream(raw)) {
            ZipEntry e;
            while ((e = zin.getNextEntry()) != null) {
                byte[] data = readAll(zin);
                if (e.getCrc() != -1) {
                    CRC32 crc = new CRC32();
                    crc.update(data);
                    if (crc.getValue() != e.getCrc()) throw new IOException(where + e.getName() + ": CRC mismatch");
                }
                if (isZip(data)) stream(new ByteArrayInputStream(data), where + e.getName() + "!/");
                count++;
            }
        }
        return count;
    }

    public static void main(String[] args) throws Exception {
        boolean ok = true;
        for (String path : args) {
            try {
                int viaFile = 0;
                try (ZipFile zf = new ZipFile(path)) {
                    for (Enumeration<? extends ZipEntry> en = zf.entries(); en.hasMoreElements();) {
                        ZipEntry e = en.nextElement();
                        try (InputStream in = zf.getInputStream(e)) {
                            byte[] data = readAll(in);
                            if (data.length != e.getSize()) throw new IOException(e.getName() + ": size mismatch");
                        }
                        viaFile++;
                    }
                }
                int viaStream = stream(new BufferedInputStream(new FileInputStream(path)), "");
                if (viaFile != viaStream) throw new IOException("ZipFile sees " + viaFile + " entries, ZipInputStream " + viaStream);
                System.out.println("ok " + path + " (" + viaFile + " entries)");
            } catch (Exception ex) {
                ok = false;
                System.out.println("FAIL " + path + ": " + ex);
            }
        }
        System.exit(ok ? 0 : 1);
    }
}
