/**
 * Firestore access shared by the control plane and the Firestore resource stores: opening
 * a client ({@link dev.plinth.datasync.firestore.FirestoreClients}) and telling failures
 * apart, with the one retry of transient ones ({@link dev.plinth.datasync.firestore.FirestoreCalls}).
 */
package dev.plinth.datasync.firestore;
