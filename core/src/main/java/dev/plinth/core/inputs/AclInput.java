package dev.plinth.core.inputs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.core.context.RequestContext;

/**
 * The input of {@code plinth/realtime/acl}: what the caller wants to do on a thread, who it
 * is, and the thread's ACL as stored (absent when the thread does not exist yet).
 *
 * @param action  {@code create}, {@code publish} or {@code subscribe}
 * @param context the caller's resolved context
 * @param thread  the thread's ACL document
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AclInput(String action, RequestContext context, JsonNode thread) {

    public static final String ENTRYPOINT = "plinth/realtime/acl";
}
