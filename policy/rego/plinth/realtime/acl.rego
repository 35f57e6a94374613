# plinth/realtime/acl: may this context publish to / subscribe to this thread?
#
# Input: context {user_id, roles}, action "publish" | "subscribe", thread {readers, writers}
# (the thread's registry record, absent when the thread does not exist).
# Writers may publish and subscribe; readers may subscribe; a tenant's owners and admins may
# do both. Everything else is refused.
package plinth.realtime

managers := {"owner", "admin"}

default acl := {"allow": false, "status": 403, "code": "FORBIDDEN", "reason": "not allowed on this thread"}

acl := {"allow": false, "status": 404, "code": "NOT_FOUND", "reason": "no such thread in the realtime registry"} if {
	not input.thread
} else := {"allow": true, "status": 200, "code": "OK", "reason": reason} if {
	reason := grant
} else := {
	"allow": false, "status": 403, "code": "FORBIDDEN",
	"reason": concat("", ["user ", input.context.user_id, " may not ", input.action, " on this thread"]),
}

grant := "tenant manager" if {
	some role in input.context.roles
	role in managers
} else := "writer" if {
	input.context.user_id in object.get(input.thread, "writers", [])
} else := "reader" if {
	input.action == "subscribe"
	input.context.user_id in object.get(input.thread, "readers", [])
}
