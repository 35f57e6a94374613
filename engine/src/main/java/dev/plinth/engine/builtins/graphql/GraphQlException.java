package dev.plinth.engine.builtins.graphql;

/** A GraphQL document that does not parse or does not validate, in OPA's message form. */
public final class GraphQlException extends RuntimeException {

    GraphQlException(String message, int line, int column) {
        super(message + " in GraphQL string at location " + line + ":" + column);
    }

    GraphQlException(String message) {
        super(message);
    }
}
