package manifests

import (
	"bytes"
	"fmt"
	"path"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/releaseutil"
)

// RenderChart renders the Helm chart in dir as helm template does, for a
// release named admissible in namespace, with values (YAML) over the chart's
// defaults; values are checked against the chart's schema. It returns the
// release's objects as one multi-document YAML stream, in the order helm
// install creates them; hooks (the helm test objects) are left out, see
// RenderChartTests.
func RenderChart(dir, values, namespace string) ([]byte, error) {
	_, objects, err := renderChart(dir, values, namespace)
	return objects, err
}

// RenderChartTests renders the chart's helm test hooks, as RenderChart
// renders the release's objects. Every hook of the chart must be a test hook.
func RenderChartTests(dir, values, namespace string) ([]byte, error) {
	tests, _, err := renderChart(dir, values, namespace)
	return tests, err
}

func renderChart(dir, values, namespace string) (tests, objects []byte, err error) {
	ch, err := loader.Load(dir)
	if err != nil {
		return nil, nil, err
	}
	overrides, err := chartutil.ReadValues([]byte(values))
	if err != nil {
		return nil, nil, err
	}
	// The oldest API server the project tests.
	caps := chartutil.DefaultCapabilities.Copy()
	caps.KubeVersion = chartutil.KubeVersion{Version: "v1.33.0", Major: "1", Minor: "33"}
	opts := chartutil.ReleaseOptions{Name: "admissible", Namespace: namespace, Revision: 1, IsInstall: true}
	vals, err := chartutil.ToRenderValues(ch, overrides, opts, caps)
	if err != nil {
		return nil, nil, err
	}
	files, err := engine.Engine{Strict: true}.Render(ch, vals)
	if err != nil {
		return nil, nil, err
	}
	manifests := map[string]string{}
	for name, content := range files {
		if path.Ext(name) == ".yaml" { // not NOTES.txt nor the _*.tpl partials
			manifests[name] = content
		}
	}
	// In the order helm install creates them: the Namespace first.
	hooks, sorted, err := releaseutil.SortManifests(manifests, caps.APIVersions, releaseutil.InstallOrder)
	if err != nil {
		return nil, nil, err
	}
	var t bytes.Buffer
	for _, h := range hooks {
		if len(h.Events) != 1 || h.Events[0] != release.HookTest {
			return nil, nil, fmt.Errorf("chart %s: %s: only test hooks are rendered, not %v", dir, h.Path, h.Events)
		}
		fmt.Fprintf(&t, "---\n# Source: %s\n%s\n", h.Path, h.Manifest)
	}
	var b bytes.Buffer
	for _, m := range sorted {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", m.Name, m.Content)
	}
	return t.Bytes(), b.Bytes(), nil
}
