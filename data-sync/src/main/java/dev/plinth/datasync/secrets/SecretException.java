package dev.plinth.datasync.secrets;

/** A secret could not be resolved. The message names what is missing, never a value. */
public final class SecretException extends RuntimeException {
    private final String logicalName;

    public SecretException(String logicalName, String message) {
        super(message);
        this.logicalName = logicalName;
    }

    public String logicalName() {
        return logicalName;
    }
}
