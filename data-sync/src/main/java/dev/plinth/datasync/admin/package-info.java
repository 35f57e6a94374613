/**
 * Validated, transactional reads and writes of the control-plane primitives. Start with
 * {@link dev.plinth.datasync.admin.AdminStore}; {@link dev.plinth.datasync.primitive.Kind} declares
 * each primitive's path, id grammar, fields, references and dependents. Failures are the
 * sealed {@link dev.plinth.datasync.admin.AdminException} with stable codes; no HTTP here.
 */
package dev.plinth.datasync.admin;
