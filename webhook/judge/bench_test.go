package judge_test

import (
	"context"
	"os"
	"testing"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/admissible/admissible/resolvers/resolverstest"
	"github.com/admissible/admissible/webhook/judge"
)

// The benchmarks judge a realistic Deployment (3 containers of 20 env
// entries, probes, ports, resources, mounts) whose images are known: every
// lookup is answered at once, as from the cache. Each measures one stage of
// an admission, then the whole:
//
//	go test -run '^$' -bench . -benchmem -count 5 ./webhook/

func init() {
	// The handler logs through controller-runtime's logger; without one it
	// prints a notice in the middle of the benchmark figures.
	logf.SetLogger(logr.Discard())
}

// benchDeployment reads the Deployment the load tool sends too.
func benchDeployment(b *testing.B) []byte {
	b.Helper()
	raw, err := os.ReadFile("testdata/deployment-3x20.json")
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

// BenchmarkDecodeObject: the object of a review, read as the engine reads it.
func BenchmarkDecodeObject(b *testing.B) {
	raw := benchDeployment(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		obj := &unstructured.Unstructured{}
		if err := obj.UnmarshalJSON(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJudge: the engine's verdict on a decoded object, by check: the
// walk and the cached lookups alone (images), the pod the controller would
// create validated by the API server's code (podTemplates), and both.
func BenchmarkJudge(b *testing.B) {
	raw := benchDeployment(b)
	for name, modes := range map[string]judge.Modes{
		"images":       {judge.Images.Name: judge.Enforce, judge.PodTemplates.Name: judge.Off},
		"podTemplates": {judge.Images.Name: judge.Off, judge.PodTemplates.Name: judge.Enforce},
		"both":         {judge.Images.Name: judge.Enforce, judge.PodTemplates.Name: judge.Enforce},
	} {
		b.Run(name, func(b *testing.B) {
			e := judge.NewEngine(resolverstest.ByTag, judge.WithModes(modes))
			obj := &unstructured.Unstructured{}
			if err := obj.UnmarshalJSON(raw); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if v := e.Judge(context.Background(), judge.Request{Object: obj}); !v.Allowed() {
					b.Fatal(v.Message())
				}
			}
		})
	}
}
