package io.trustgate.pgp;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;

/**
 * Reads the OpenPGP objects of one signature file within {@link PgpLimits#MAX_PACKETS} packets (marker packets
 * count) and {@link PgpLimits#MAX_DECOMPRESSED_BYTES} bytes out of a compressed layer, so that a small file
 * cannot cost more than a few packets' work however it inflates. Not thread-safe: one per file.
 */
final class PacketReader {

    /** A bound was reached; the message names it. */
    static final class LimitException extends IOException {
        LimitException(String message) {
            super(message);
        }
    }

    private int packets;

    /** The next object that is not a marker packet, or {@code null} at the end; every packet counts. */
    Object nextNonMarker(BcPGPObjectFactory factory) throws IOException {
        Object object;
        do {
            object = next(factory);
        } while (object instanceof PGPMarker);
        return object;
    }

    /** The next object, or {@code null} at the end. */
    Object next(BcPGPObjectFactory factory) throws IOException {
        Object object = factory.nextObject();
        if (object != null && ++packets > PgpLimits.MAX_PACKETS) {
            throw new LimitException("the signature holds more than " + PgpLimits.MAX_PACKETS + " OpenPGP packets");
        }
        return object;
    }

    /** A factory over the decompressed content, which stops with a {@link LimitException} past the size bound. */
    static BcPGPObjectFactory decompressed(PGPCompressedData compressed) throws PGPException {
        return new BcPGPObjectFactory(new Limited(compressed.getDataStream(), PgpLimits.MAX_DECOMPRESSED_BYTES));
    }

    /** Delivers at most {@code max} bytes; asking for more fails rather than truncating silently. */
    private static final class Limited extends FilterInputStream {
        private static final int SKIP_BUFFER_BYTES = 8192;
        private final long max;
        private long count;

        Limited(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            // Never inflate more than one byte past the bound.
            int n = super.read(buffer, offset, (int) Math.min(length, max - count + 1));
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            return Math.max(0, read(new byte[(int) Math.max(0, Math.min(n, SKIP_BUFFER_BYTES))]));
        }

        private void counted(int n) throws LimitException {
            count += n;
            if (count > max) {
                throw new LimitException("the compressed data inflates to more than " + max + " bytes");
            }
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
