// promcheck checks a Prometheus text exposition with Prometheus' own code, independent of the
// Java library that wrote it: expfmt's parser (the one Prometheus scrapes with) and
// client_golang's promlint (the naming conventions: units, _total, base units). It reads the
// exposition from stdin and prints one JSON object: every family with its type, help and
// samples, and the lint problems. Exit status 1 when the text does not parse.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

type sample struct {
	Labels map[string]string `json:"labels"`
	Value  float64           `json:"value"`
	// Histograms: the cumulative bucket counts by upper bound, the count and the sum.
	Buckets map[string]uint64 `json:"buckets,omitempty"`
	Count   *uint64           `json:"count,omitempty"`
	Sum     *float64          `json:"sum,omitempty"`
}

type family struct {
	Type    string   `json:"type"`
	Help    string   `json:"help"`
	Samples []sample `json:"samples"`
}

type problem struct {
	Metric string `json:"metric"`
	Text   string `json:"text"`
}

func main() {
	raw, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	text := string(raw)
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		fail(fmt.Errorf("not Prometheus text format: %w", err))
	}
	problems, err := promlint.New(strings.NewReader(text)).Lint()
	if err != nil {
		fail(fmt.Errorf("promlint: %w", err))
	}
	out := struct {
		Families map[string]family `json:"families"`
		Problems []problem         `json:"problems"`
	}{Families: map[string]family{}, Problems: []problem{}}
	for name, mf := range families {
		f := family{Type: strings.ToLower(mf.GetType().String()), Help: mf.GetHelp(), Samples: []sample{}}
		for _, m := range mf.GetMetric() {
			f.Samples = append(f.Samples, toSample(mf.GetType(), m))
		}
		out.Families[name] = f
	}
	sort.Slice(problems, func(i, j int) bool { return problems[i].Metric < problems[j].Metric })
	for _, p := range problems {
		out.Problems = append(out.Problems, problem{Metric: p.Metric, Text: p.Text})
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		fail(err)
	}
}

func toSample(t dto.MetricType, m *dto.Metric) sample {
	s := sample{Labels: map[string]string{}}
	for _, l := range m.GetLabel() {
		s.Labels[l.GetName()] = l.GetValue()
	}
	switch t {
	case dto.MetricType_COUNTER:
		s.Value = m.GetCounter().GetValue()
	case dto.MetricType_GAUGE:
		s.Value = m.GetGauge().GetValue()
	case dto.MetricType_UNTYPED:
		s.Value = m.GetUntyped().GetValue()
	case dto.MetricType_HISTOGRAM:
		h := m.GetHistogram()
		s.Buckets = map[string]uint64{}
		for _, b := range h.GetBucket() {
			s.Buckets[fmt.Sprint(b.GetUpperBound())] = b.GetCumulativeCount()
		}
		c, sum := h.GetSampleCount(), h.GetSampleSum()
		s.Count, s.Sum = &c, &sum
	case dto.MetricType_SUMMARY:
		c, sum := m.GetSummary().GetSampleCount(), m.GetSummary().GetSampleSum()
		s.Count, s.Sum = &c, &sum
	}
	return s
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "promcheck:", err)
	os.Exit(1)
}
