package dev.plinth.datasync.secrets;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A secret's bytes. {@link #toString()} never shows them. */
public final class SecretValue {
    private final byte[] bytes;

    public SecretValue(byte[] bytes) {
        this.bytes = bytes.clone();
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public String utf8() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecretValue other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "SecretValue[redacted]";
    }
}
