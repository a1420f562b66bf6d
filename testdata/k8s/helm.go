package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// The lines of the sidecar chart's NOTES.txt around the pod spec
// fragment a user adds to the application's pod.
const (
	sidecarBegin = "# --- tarn sidecar: begin\n"
	sidecarEnd   = "# --- tarn sidecar: end"
)

// helmMain lints and renders the chart in dir (what `helm lint` and
// `helm template` do) with its default values and with each values file,
// writes each rendering to out/<case>.yaml (the manifests) and
// out/<case>.NOTES.txt, and strictly decodes every manifest, and the pod
// spec fragment of a sidecar's NOTES.txt, into the Kubernetes API types.
// Values that cannot give a working agent must fail to render.
func helmMain(dir, out string, valuesFiles []string) error {
	var errs []error
	cases := append([]string{""}, valuesFiles...)
	for _, vf := range cases {
		name := "default"
		vals := map[string]any{}
		if vf != "" {
			name = strings.TrimSuffix(filepath.Base(vf), ".yaml")
			v, err := chartutil.ReadValuesFile(vf)
			if err != nil {
				return err
			}
			vals = v
		}
		if err := helmCase(dir, out, name, vals); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	for name, vals := range map[string]map[string]any{
		"unknown mode":            {"mode": "deployment"},
		"no sink":                 {"loki": map[string]any{"enabled": false}},
		"no key":                  {"key": map[string]any{"existingSecret": ""}},
		"otlp without token":      {"otlp": map[string]any{"enabled": true}},
		"loki push without token": {"lokiPush": map[string]any{"enabled": true}},
		"s3 without bucket":       {"s3": map[string]any{"enabled": true}},
	} {
		if _, err := render(dir, vals); err == nil {
			errs = append(errs, fmt.Errorf("values %q: rendered, want an error", name))
		} else {
			fmt.Printf("%s: refused: %v\n", name, err)
		}
	}
	return errors.Join(errs...)
}

// helmCase lints and renders one set of values.
func helmCase(dir, out, name string, vals map[string]any) error {
	linter := lint.All(dir, vals, "tarn", false)
	var errs []error
	for _, m := range linter.Messages {
		if m.Severity >= support.WarningSev {
			errs = append(errs, fmt.Errorf("helm lint: %s", m))
		}
	}
	files, err := render(dir, vals)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var docs []string
	notes := ""
	for _, n := range names {
		if strings.HasSuffix(n, "NOTES.txt") {
			notes = files[n]
			continue
		}
		for _, doc := range strings.Split(files[n], "\n---\n") {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			if err := check([]byte(doc)); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", n, err))
			}
			docs = append(docs, strings.TrimSpace(doc)+"\n")
		}
	}
	if _, frag, ok := strings.Cut(notes, sidecarBegin); ok {
		frag, _, _ = strings.Cut(frag, sidecarEnd)
		if err := yaml.UnmarshalStrict([]byte(frag), &corev1.PodSpec{}); err != nil {
			errs = append(errs, fmt.Errorf("NOTES.txt: the sidecar fragment: %w", err))
		}
	}
	if err := os.WriteFile(filepath.Join(out, name+".yaml"), []byte(strings.Join(docs, "---\n")), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, name+".NOTES.txt"), []byte(notes), 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %d manifests\n", name, len(docs))
	return errors.Join(errs...)
}

// render is `helm template` of the chart in dir with vals, as the
// release tarn in the namespace tarn.
func render(dir string, vals map[string]any) (map[string]string, error) {
	ch, err := loader.Load(dir)
	if err != nil {
		return nil, err
	}
	opts := chartutil.ReleaseOptions{Name: "tarn", Namespace: "tarn", Revision: 1, IsInstall: true}
	rv, err := chartutil.ToRenderValues(ch, vals, opts, chartutil.DefaultCapabilities)
	if err != nil {
		return nil, err
	}
	files, err := engine.Render(ch, rv)
	if err != nil {
		return nil, err
	}
	for n, body := range files {
		// The engine returns the partials too, rendered empty.
		if strings.HasPrefix(filepath.Base(n), "_") || len(bytes.TrimSpace([]byte(body))) == 0 {
			delete(files, n)
		}
	}
	return files, nil
}
