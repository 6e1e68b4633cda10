package kinds_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/admissible/admissible/webhook/judge/kinds"
)

func gvk(group, version, kind string) schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: group, Version: version, Kind: kind}
}

func TestNew(t *testing.T) {
	app := kinds.Kind{GroupVersionKind: gvk("example.com", "v1", "App"), Resource: "apps", Images: []kinds.Path{{"spec", "image"}}}
	appV2 := kinds.Kind{GroupVersionKind: gvk("example.com", "v2", "App"), Resource: "apps", Images: []kinds.Path{{"spec", "image"}}}
	tests := map[string]struct {
		kinds   []kinds.Kind
		wantErr string
	}{
		"none":                       {},
		"one":                        {kinds: []kinds.Kind{app}},
		"same kind in two versions":  {kinds: []kinds.Kind{app, appV2}},
		"same kind listed twice":     {kinds: []kinds.Kind{app, appV2, app}, wantErr: "kind example.com/v1, Kind=App listed twice"},
		"same kind with other paths": {kinds: []kinds.Kind{app, {GroupVersionKind: app.GroupVersionKind, Resource: "apps2"}}, wantErr: "kind example.com/v1, Kind=App listed twice"},
		"no resource": {
			kinds:   []kinds.Kind{{GroupVersionKind: gvk("example.com", "v1", "Thing"), Images: []kinds.Path{{"spec", "image"}}}},
			wantErr: "kind example.com/v1, Kind=Thing: no resource name",
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			c, err := kinds.New(tc.kinds...)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tc.wantErr {
				t.Fatalf("New() error = %q, want %q", gotErr, tc.wantErr)
			}
			if err != nil {
				if c != nil {
					t.Errorf("New() returned a catalog with its error")
				}
				return
			}
			if got := len(c.All()); got != len(tc.kinds) {
				t.Errorf("New() catalog has %d kinds, want %d", got, len(tc.kinds))
			}
		})
	}
}

// TestBuiltin pins the kinds judged out of the box and where their images
// are.
func TestBuiltin(t *testing.T) {
	tmpl := []kinds.Path{{"spec", "template", "spec"}}
	want := []kinds.Kind{
		{GroupVersionKind: gvk("", "v1", "Pod"), Resource: "pods", Subresources: []string{"ephemeralcontainers"}, PodSpecs: []kinds.Path{{"spec"}}},
		{GroupVersionKind: gvk("", "v1", "PodTemplate"), Resource: "podtemplates", PodSpecs: []kinds.Path{{"template", "spec"}}},
		{GroupVersionKind: gvk("", "v1", "ReplicationController"), Resource: "replicationcontrollers", PodSpecs: tmpl},
		{GroupVersionKind: gvk("apps", "v1", "DaemonSet"), Resource: "daemonsets", PodSpecs: tmpl},
		{GroupVersionKind: gvk("apps", "v1", "Deployment"), Resource: "deployments", PodSpecs: tmpl},
		{GroupVersionKind: gvk("apps", "v1", "ReplicaSet"), Resource: "replicasets", PodSpecs: tmpl},
		{GroupVersionKind: gvk("apps", "v1", "StatefulSet"), Resource: "statefulsets", PodSpecs: tmpl},
		{GroupVersionKind: gvk("batch", "v1", "CronJob"), Resource: "cronjobs", PodSpecs: []kinds.Path{{"spec", "jobTemplate", "spec", "template", "spec"}}},
		{GroupVersionKind: gvk("batch", "v1", "Job"), Resource: "jobs", PodSpecs: tmpl},
		{GroupVersionKind: gvk("ceph.rook.io", "v1", "CephCOSIDriver"), Resource: "cephcosidrivers", Images: []kinds.Path{{"spec", "image"}, {"spec", "objectProvisionerImage"}}},
		{GroupVersionKind: gvk("ceph.rook.io", "v1", "CephCluster"), Resource: "cephclusters", Images: []kinds.Path{{"spec", "cephVersion", "image"}}},
		{GroupVersionKind: gvk("ceph.rook.io", "v1", "CephNFS"), Resource: "cephnfses", Images: []kinds.Path{{"spec", "server", "image"}, {"spec", "security", "sssd", "sidecar", "image"}}},
		{GroupVersionKind: gvk("ceph.rook.io", "v1", "CephNVMeOFGateway"), Resource: "cephnvmeofgateways", Images: []kinds.Path{{"spec", "image"}}},
	}
	if diff := cmp.Diff(want, kinds.Builtin().All()); diff != "" {
		t.Errorf("Builtin().All() mismatch (-want +got):\n%s", diff)
	}
}

func TestLookup(t *testing.T) {
	c := kinds.Builtin()
	tests := map[string]struct {
		gvk          schema.GroupVersionKind
		wantOK       bool
		wantResource string
	}{
		"core kind":                      {gvk: gvk("", "v1", "Pod"), wantOK: true, wantResource: "pods"},
		"apps kind":                      {gvk: gvk("apps", "v1", "StatefulSet"), wantOK: true, wantResource: "statefulsets"},
		"Rook kind":                      {gvk: gvk("ceph.rook.io", "v1", "CephCluster"), wantOK: true, wantResource: "cephclusters"},
		"other version":                  {gvk: gvk("apps", "v1beta2", "Deployment")},
		"other group":                    {gvk: gvk("extensions", "v1", "Deployment")},
		"kind in lower case":             {gvk: gvk("", "v1", "pod")},
		"kind not judged":                {gvk: gvk("", "v1", "ConfigMap")},
		"CephBlockPool: RBD images only": {gvk: gvk("ceph.rook.io", "v1", "CephBlockPool")},
		"empty":                          {},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			k, ok := c.Lookup(tc.gvk)
			if ok != tc.wantOK {
				t.Fatalf("Lookup(%v) ok = %v, want %v", tc.gvk, ok, tc.wantOK)
			}
			if k.Resource != tc.wantResource {
				t.Errorf("Lookup(%v).Resource = %q, want %q", tc.gvk, k.Resource, tc.wantResource)
			}
			if ok && k.GroupVersionKind != tc.gvk {
				t.Errorf("Lookup(%v) returned kind %v", tc.gvk, k.GroupVersionKind)
			}
		})
	}
}

func TestAllIsSorted(t *testing.T) {
	c, err := kinds.New(
		kinds.Kind{GroupVersionKind: gvk("b.example", "v1", "A"), Resource: "as"},
		kinds.Kind{GroupVersionKind: gvk("a.example", "v2", "A"), Resource: "as"},
		kinds.Kind{GroupVersionKind: gvk("a.example", "v1", "Z"), Resource: "zs"},
		kinds.Kind{GroupVersionKind: gvk("", "v1", "Y"), Resource: "ys"},
		kinds.Kind{GroupVersionKind: gvk("a.example", "v1", "B"), Resource: "bs"},
	)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	want := []schema.GroupVersionKind{
		gvk("", "v1", "Y"),
		gvk("a.example", "v1", "B"),
		gvk("a.example", "v1", "Z"),
		gvk("a.example", "v2", "A"),
		gvk("b.example", "v1", "A"),
	}
	// All is recomputed from a map each time: ask a few times.
	for range 5 {
		var got []schema.GroupVersionKind
		for _, k := range c.All() {
			got = append(got, k.GroupVersionKind)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("All() order mismatch (-want +got):\n%s", diff)
		}
	}
}

func TestPathString(t *testing.T) {
	tests := map[string]struct {
		path kinds.Path
		want string
	}{
		"empty":    {},
		"one":      {path: kinds.Path{"spec"}, want: "spec"},
		"segments": {path: kinds.Path{"spec", "cephVersion", "image"}, want: "spec.cephVersion.image"},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			if got := tc.path.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}
