package dev.plinth.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * strings.render_template against OPA itself: Go's text/template actions, pipelines,
 * functions and printing over OPA's variables (where numbers are json.Number, a string
 * kind), and the templates Go refuses or fails on.
 */
class RenderTemplateBuiltinTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String POLICY = """
            package t

            vars := {"name": "ana", "n": 3, "f": 1.50, "big": 12345678901234567890, "ok": true, "no": false, "none": null,
                "list": ["a", "b", "c"], "empty": [], "m": {"b": 2, "a": {"x": [1, 2]}}, "html": "<a href='x'>&</a>"}

            results[i] := r if {
                some i, t in input.templates
                r := {"out": o | o := strings.render_template(t, vars)}
            }
            """;

    private static final String[] TEMPLATES = {
        "hello {{.name}}", "{{.n}} {{.f}} {{.big}} {{.ok}} {{.none}} {{.missing}}", "{{.list}} {{.m}} {{.empty}}",
        "{{range $i, $v := .list}}{{if $i}},{{end}}{{$i}}={{$v}}{{end}}", "{{range .m}}[{{.}}]{{end}}",
        "{{range $k, $v := .m}}{{$k}}{{end}}", "{{range .empty}}x{{else}}none{{end}}", "{{range 3}}{{.}}{{end}}",
        "{{range .list}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}", "{{range .list}}{{if eq . \"b\"}}{{continue}}{{end}}{{.}}{{end}}",
        "{{if .no}}a{{else if .ok}}b{{else}}c{{end}}", "{{if and .ok .name}}yes{{end}} {{or .no .none \"x\"}} {{not .ok}}",
        "{{with .m.a}}{{.x}}{{end}} {{with .missing}}x{{else}}y{{end}}", "{{$x := .name}}{{$x}} {{$x = \"bo\"}}{{$x}}",
        "{{len .list}} {{len .name}} {{len .m}} {{len .n}}", "{{index .list 1}} {{index .m \"b\"}} {{index .m.a.x 0}}",
        "{{slice .name 1 2}} {{slice .list 1}}", "{{print .name 1 2 \"x\"}}|{{println .name 1}}|", "{{printf \"%s-%d-%q-%v\" .name 7 .name .list}}",
        "{{eq .name \"ana\" \"bo\"}} {{ne 1 2}} {{lt 1 2}} {{le \"a\" \"b\"}} {{gt 2.5 1.5}} {{ge 2 2}}", "{{eq .n \"3\"}}",
        "{{html .html}} {{js .html}} {{urlquery .html \"a b\"}}", "{{.name | printf \"%s!\"}} {{\"x\" | len}}",
        "{{/* a comment */}}a  {{- \" b \" -}}  c", "  {{- .name}}  ", "{{`raw \\n`}} {{\"esc\\t\"}} {{'a'}} {{1.5e3}} {{-2}}",
        "{{(index .list 2)}} {{(.m).b}}", "{{.name.first}}", "{{.m.a.x.y}}", "{{nofunc 1}}", "{{eq .n 3}}", "{{if}}x{{end}}",
        "{{range .name}}x{{end}}", "{{index .list 5}}", "{{.name", "{{end}}", "{{define \"x\"}}a{{end}}", "{{template \"x\"}}",
        "{{lt .list .name}}", "{{.name 1}}", "{{define \"t\"}}<{{.}}>{{end}}{{template \"t\" .name}}{{template \"t\"}}",
        "{{block \"b\" .list}}{{range .}}-{{.}}{{end}}{{end}}", "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" 1}}",
    };

    @Test
    void templatesRenderAsOpaRendersThem() throws Exception {
        var templates = JSON.createArrayNode();
        for (String t : TEMPLATES) {
            templates.add(t);
        }
        var input = JSON.createObjectNode().set("templates", templates);
        var both = OpaOracle.results(POLICY, input);
        JsonNode opa = both.opa();
        JsonNode plinth = both.plinth();
        for (int i = 0; i < TEMPLATES.length; i++) {
            assertThat(plinth.get(String.valueOf(i))).as("%s", TEMPLATES[i]).isEqualTo(opa.get(String.valueOf(i)));
        }
        assertThat(opa.toString()).contains("<undefined>").contains("{}");
    }

    @Test
    void aRunawayTemplateIsStoppedNotRendered() throws Exception {
        // Bounded execution (steps, output, depth): each answers undefined rather than running on.
        String rego = """
                package t

                results := {"loop": r1, "recursion": r2, "output": r3}
                r1 := {"out": o | o := strings.render_template(`{{range 100000000}}x{{end}}`, {})}
                r2 := {"out": o | o := strings.render_template(`{{define "r"}}{{template "r" .}}{{end}}{{template "r" 1}}`, {})}
                r3 := {"out": o | o := strings.render_template(`{{range .a}}{{range $.a}}{{range $.a}}{{$.s}}{{end}}{{end}}{{end}}`, input)}
                """;
        var input = JSON.createObjectNode();
        var a = input.putArray("a");
        for (int i = 0; i < 100; i++) {
            a.add(i);
        }
        input.put("s", "x".repeat(1000));
        var engine = new dev.plinth.engine.api.PolicyEngine(HostBuiltinsTest.build(rego, "t/results"), 1, 0);
        JsonNode r = engine.evaluate("t/results", input).orElseThrow();
        assertThat(r).isEqualTo(JSON.readTree("{\"loop\": {}, \"output\": {}, \"recursion\": {}}"));
    }
}
