// Command casegen compiles OPA's own language test cases to wasm with OPA's own
// compiler (the pinned module, the same code as `opa build -t wasm`), so that Plinth's
// engine can evaluate them and compare the results with what the cases want.
//
// It writes <out>/cases.json (one record per case: where it came from, its data and
// input as JSON, what it expects, and either the wasm file name or the compile error)
// and <out>/wasm/<n>.wasm. It evaluates nothing: judging is the Java side's job.
//
// Why a program and not one `opa build` per case: the CLI takes entrypoints as rule
// paths, while most cases are ad-hoc queries with free variables (`x = data.a[i]`);
// OPA's planner compiles such a query to a module whose entrypoint 0 answers the
// bindings, exactly as OPA's wasm SDK end-to-end tests do. One process also compiles
// ~4,700 cases in seconds instead of ~4,700 CLI starts.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/test/cases"
	"github.com/open-policy-agent/opa/v1/types"
)

type source struct {
	name    string // "v1", "v0" or "wasm": the first part of every category
	dir     string
	version ast.RegoVersion
}

type record struct {
	ID            int               `json:"id"`
	Category      string            `json:"category"`
	Note          string            `json:"note"`
	File          string            `json:"file"`
	Query         string            `json:"query"`
	Data          any               `json:"data,omitempty"`
	Input         any               `json:"input,omitempty"`
	HasInput      bool              `json:"has_input"`
	InputValue    string            `json:"input_value,omitempty"` // input_term in Rego's value syntax (sets stay sets)
	WantDefined   *bool             `json:"want_defined,omitempty"`
	WantResult    *[]map[string]any `json:"want_result,omitempty"`
	WantErrorCode *string           `json:"want_error_code,omitempty"`
	WantError     *string           `json:"want_error,omitempty"`
	SortBindings  bool              `json:"sort_bindings,omitempty"`
	StrictError   bool              `json:"strict_error,omitempty"`
	Env           map[string]string `json:"env,omitempty"`
	Wasm          string            `json:"wasm,omitempty"`
	CompileError  string            `json:"compile_error,omitempty"`
}

func main() {
	root := flag.String("opa-src", "", "the pinned OPA module's source folder (in the Go module cache)")
	out := flag.String("out", "", "output folder")
	flag.Parse()
	if *root == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: casegen -opa-src <opa module folder> -out <folder>")
		os.Exit(2)
	}
	sources := []source{
		{"v1", filepath.Join(*root, "v1/test/cases/testdata/v1"), ast.RegoV1},
		{"v0", filepath.Join(*root, "v1/test/cases/testdata/v0"), ast.RegoV0},
		{"wasm", filepath.Join(*root, "v1/test/wasm/assets"), ast.RegoV0},
	}
	if err := run(sources, *out); err != nil {
		fmt.Fprintln(os.Stderr, "casegen:", err)
		os.Exit(1)
	}
}

type job struct {
	rec     *record
	tc      cases.TestCase
	version ast.RegoVersion
}

func run(sources []source, out string) error {
	if err := os.MkdirAll(filepath.Join(out, "wasm"), 0o755); err != nil {
		return err
	}
	var jobs []job
	for _, s := range sources {
		if _, err := os.Stat(s.dir); err != nil {
			return fmt.Errorf("case folder %s: %w", s.dir, err)
		}
		sorted, err := load(s.dir)
		if err != nil {
			return err
		}
		sort.SliceStable(sorted, func(i, j int) bool {
			if sorted[i].Filename != sorted[j].Filename {
				return sorted[i].Filename < sorted[j].Filename
			}
			return false // keep the file's own order
		})
		for _, tc := range sorted {
			rel, _ := filepath.Rel(s.dir, tc.Filename)
			category := s.name + "/" + strings.SplitN(filepath.ToSlash(rel), "/", 2)[0]
			if s.name == "wasm" {
				category = s.name + "/" + strings.TrimSuffix(filepath.Base(rel), ".yaml")
			}
			rec := &record{
				ID: len(jobs), Category: category, Note: tc.Note, File: filepath.ToSlash(rel), Query: tc.Query,
				WantDefined: tc.WantDefined, WantResult: tc.WantResult, WantErrorCode: tc.WantErrorCode,
				WantError: tc.WantError, SortBindings: tc.SortBindings, StrictError: tc.StrictError, Env: tc.Env,
			}
			if tc.Data != nil {
				rec.Data = *tc.Data
			}
			jobs = append(jobs, job{rec, tc, s.version})
		}
	}

	work := make(chan job)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				if err := compile(j, out); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i, j := range jobs {
		if i%500 == 0 {
			fmt.Fprintf(os.Stderr, "casegen: compiling case %d of %d\n", i+1, len(jobs))
		}
		work <- j
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	records := make([]*record, len(jobs))
	for i, j := range jobs {
		records[i] = j.rec
	}
	bs, err := json.MarshalIndent(records, "", " ")
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "casegen: %d cases written to %s\n", len(records), out)
	return os.WriteFile(filepath.Join(out, "cases.json"), bs, 0o644)
}

// load reads every YAML case file under dir (the wasm assets folder also holds a
// JavaScript harness, which is not a case file).
func load(dir string) ([]cases.TestCase, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", dir, err)
	}
	var all []cases.TestCase
	for _, f := range files {
		set, err := cases.Load(f)
		if err != nil {
			return nil, fmt.Errorf("loading %s: %w", f, err)
		}
		all = append(all, set.Cases...)
	}
	return all, nil
}

// compile fills in the record's input and wasm file, or its compile error. Only I/O
// failures are errors: a case that does not compile is a result the judge weighs.
func compile(j job, out string) error {
	tc := j.tc
	switch {
	case tc.InputTerm != nil:
		term, err := ast.ParseTerm(*tc.InputTerm)
		if err != nil {
			j.rec.CompileError = "input_term does not parse: " + err.Error()
			return nil
		}
		v, err := ast.JSON(term.Value)
		if err != nil {
			j.rec.CompileError = "input_term has no JSON form: " + err.Error()
			return nil
		}
		j.rec.Input, j.rec.HasInput, j.rec.InputValue = v, true, term.Value.String()
	case tc.Input != nil:
		j.rec.Input, j.rec.HasInput = *tc.Input, true
	}

	caps := ast.CapabilitiesForThisVersion(ast.CapabilitiesExperimentalKeywords(tc.ExperimentalKeywords))
	opts := []func(*rego.Rego){
		rego.Query(tc.Query),
		rego.SetRegoVersion(j.version),
		rego.Capabilities(caps),
		// The wasm test assets call these host functions; declaring them lets those
		// cases compile, and the engine's answer to an unprovided builtin is then judged.
		rego.FunctionDecl(&rego.Function{Name: "custom_builtin_test", Decl: types.NewFunction([]types.Type{types.N}, types.N)}),
		rego.FunctionDecl(&rego.Function{Name: "custom_builtin_test_impure", Decl: types.NewFunction(nil, types.N)}),
		rego.FunctionDecl(&rego.Function{Name: "custom_builtin_test_memoization", Decl: types.NewFunction(nil, types.N)}),
		// OPA's Go test harness registers test.sleep for its time cases; the Java harness
		// registers it the same way (Plinth's engine does not have it).
		rego.FunctionDecl(&rego.Function{Name: "test.sleep", Decl: types.NewFunction([]types.Type{types.S}, types.NewNull())}),
	}
	for i, m := range tc.Modules {
		opts = append(opts, rego.Module(fmt.Sprintf("module-%d.rego", i), m))
	}
	cr, err := rego.New(opts...).Compile(context.Background())
	if err != nil {
		j.rec.CompileError = err.Error()
		return nil
	}
	name := fmt.Sprintf("%d.wasm", j.rec.ID)
	j.rec.Wasm = name
	return os.WriteFile(filepath.Join(out, "wasm", name), cr.Bytes, 0o644)
}
