// Command k8s strictly decodes every document of the manifests named as
// arguments into its Kubernetes API type (unknown or misspelt fields are
// errors) and exits 1 if any does not decode.
//
// `k8s helm CHART OUTDIR [VALUES...]` lints and renders the Helm chart
// CHART with the Helm library (helm lint, helm template) with its default
// values and each values file, checks the rendered manifests the same
// way and writes them to OUTDIR (see helmMain).
package main

import (
	"bytes"
	"fmt"
	"os"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// kinds maps apiVersion/kind to a new typed object.
var kinds = map[string]func() any{
	"v1/Namespace":       func() any { return &corev1.Namespace{} },
	"v1/ServiceAccount":  func() any { return &corev1.ServiceAccount{} },
	"v1/ConfigMap":       func() any { return &corev1.ConfigMap{} },
	"v1/Secret":          func() any { return &corev1.Secret{} },
	"v1/Service":         func() any { return &corev1.Service{} },
	"apps/v1/DaemonSet":  func() any { return &appsv1.DaemonSet{} },
	"apps/v1/Deployment": func() any { return &appsv1.Deployment{} },
}

func main() {
	if len(os.Args) >= 4 && os.Args[1] == "helm" {
		if err := helmMain(os.Args[2], os.Args[3], os.Args[4:]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println("ok")
		return
	}
	failed := false
	for _, path := range os.Args[1:] {
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for i, doc := range bytes.Split(data, []byte("\n---\n")) {
			if err := check(doc); err != nil {
				fmt.Fprintf(os.Stderr, "%s: document %d: %v\n", path, i+1, err)
				failed = true
			}
		}
	}
	if failed {
		os.Exit(1)
	}
	fmt.Println("ok")
}

// check decodes one document strictly into the type its kind names.
func check(doc []byte) error {
	var meta struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		return err
	}
	newObj, ok := kinds[meta.APIVersion+"/"+meta.Kind]
	if !ok {
		return fmt.Errorf("unexpected kind %s/%s", meta.APIVersion, meta.Kind)
	}
	return yaml.UnmarshalStrict(doc, newObj())
}
