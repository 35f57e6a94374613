/**
 * Where a primitive is defined: {@link dev.plinth.datasync.primitive.Kind}, the one registry
 * (collection, scope, id grammar, record and parser, validation, references, dependents,
 * schema name, example), and the parsing of stored documents into records
 * ({@link dev.plinth.datasync.primitive.DocumentParser}). Everything else derives from it.
 */
package dev.plinth.datasync.primitive;
