# plinth/routing/backend: which backend serves a resource kind for this context.
#
# Java passes the routes of the kind whose scope matches the context (every scope field
# is the context's value or "*"; found with at most 16 look-ups), the backends they name
# and the kind's record. This policy picks the most specific: project > app > surface >
# tenant > the t_system default (all "*").
#
# Input:
#   kind:          the requested kind
#   resource_kind: its record {id, model, service?}, absent when the kind is unknown
#   context:       {tenant_id, surface_id?, app_id?, project_id?}
#   candidates:    [{id, kind, tenant, surface, app, project, backend}]
#   backends:      {id: {id, type, status, settings, secrets}}
package plinth.routing

# Specificity of a route: a bit per scope field that names a value.
weights := {"project": 8, "app": 4, "surface": 2, "tenant": 1}

specificity(route) := sum([w | some field, w in weights; route[field] != "*"])

scope_name(route) := "project" if route.project != "*"
else := "app" if route.app != "*"
else := "surface" if route.surface != "*"
else := "tenant" if route.tenant != "*"
else := "default"

best := max({specificity(r) | some r in input.candidates})

# The winner: the most specific candidate (the admin API keeps one route per exact scope).
chosen := [r | some r in input.candidates; specificity(r) == best][0]

tried := concat(", ", [s |
	some s in [
		scope_label("project", object.get(input.context, "project_id", null)),
		scope_label("app", object.get(input.context, "app_id", null)),
		scope_label("surface", object.get(input.context, "surface_id", null)),
		scope_label("tenant", object.get(input.context, "tenant_id", null)),
		"t_system default",
	]
	s != ""
])

scope_label(name, value) := concat(" ", [name, value]) if is_string(value) else := ""

default backend := {"allow": false, "status": 503, "code": "ROUTE_MISSING", "reason": "no route decision"}

backend := {
	"allow": false, "status": 404, "code": "UNKNOWN_KIND",
	"reason": concat("", ["resource kind ", input.kind, " is not defined: add resource_kinds/", input.kind]),
} if {
	not input.resource_kind
} else := {
	"allow": false, "status": 503, "code": "ROUTE_MISSING",
	"reason": concat("", ["no route for ", input.kind, "; scopes tried: ", tried, " (add a routes/ document)"]),
} if {
	count(input.candidates) == 0
} else := {
	"allow": false, "status": 503, "code": "ROUTE_MISSING",
	"reason": concat("", ["routes/", chosen.id, " names backend ", chosen.backend, ", which does not exist"]),
} if {
	not input.backends[chosen.backend]
} else := {
	"allow": false, "status": 503, "code": "BACKEND_UNAVAILABLE",
	"reason": concat("", ["backend ", chosen.backend, " of routes/", chosen.id, " is suspended"]),
} if {
	input.backends[chosen.backend].status == "suspended"
} else := {
	"allow": true, "status": 200, "code": "OK",
	"reason": concat("", ["routes/", chosen.id, " (", scope_name(chosen), ")"]),
	"kind": input.kind,
	"model": input.resource_kind.model,
	"service": object.get(input.resource_kind, "service", null),
	"backend_id": chosen.backend,
	"route_id": chosen.id,
	"scope": scope_name(chosen),
}
