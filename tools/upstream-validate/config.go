package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	pipelineconfig "github.com/tektoncd/pipeline/pkg/apis/config"
	triggersconfig "github.com/tektoncd/triggers/pkg/apis/config"
	"github.com/tektoncd/triggers/pkg/apis/triggers/contexts"
	corev1 "k8s.io/api/core/v1"
	"knative.dev/pkg/apis"
	"sigs.k8s.io/yaml"
)

// config is what each webhook's config store would hold: the ConfigMaps the releases install.
type config struct {
	pipeline *pipelineconfig.Config
	triggers *triggersconfig.Config
}

func readConfigMap(file string) (*corev1.ConfigMap, error) {
	text, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var cm corev1.ConfigMap
	if err := yaml.UnmarshalStrict(text, &cm); err != nil {
		return nil, fmt.Errorf("%s is not a ConfigMap: %w", file, err)
	}
	if cm.Kind != "ConfigMap" {
		return nil, fmt.Errorf("%s holds a %q; expected a ConfigMap", file, cm.Kind)
	}
	return &cm, nil
}

// loadConfig reads the releases' own ConfigMaps (config/ of each module) as their webhooks' stores do;
// featureFlags, when set, replaces Tekton Pipelines' feature flags with a cluster's.
func loadConfig(pipelineDir, triggersDir, featureFlags string) (*config, error) {
	flagsFile := filepath.Join(pipelineDir, "config-feature-flags.yaml")
	if featureFlags != "" {
		flagsFile = featureFlags
	}
	cm, err := readConfigMap(flagsFile)
	if err != nil {
		return nil, err
	}
	flags, err := pipelineconfig.NewFeatureFlagsFromConfigMap(cm)
	if err != nil {
		return nil, fmt.Errorf("--feature-flags %s: %w", flagsFile, err)
	}
	if cm, err = readConfigMap(filepath.Join(pipelineDir, "config-defaults.yaml")); err != nil {
		return nil, err
	}
	defaults, err := pipelineconfig.NewDefaultsFromConfigMap(cm)
	if err != nil {
		return nil, err
	}
	if cm, err = readConfigMap(filepath.Join(triggersDir, "config-feature-flags.yaml")); err != nil {
		return nil, err
	}
	tflags, err := triggersconfig.NewFeatureFlagsFromConfigMap(cm)
	if err != nil {
		return nil, err
	}
	if cm, err = readConfigMap(filepath.Join(triggersDir, "config-defaults-triggers.yaml")); err != nil {
		return nil, err
	}
	tdefaults, err := triggersconfig.NewDefaultsFromConfigMap(cm)
	if err != nil {
		return nil, err
	}
	return &config{
		pipeline: &pipelineconfig.Config{Defaults: defaults, FeatureFlags: flags},
		triggers: &triggersconfig.Config{Defaults: tdefaults, FeatureFlags: tflags},
	}, nil
}

// tektonContext is the context Tekton's webhook hands SetDefaults and Validate on a create
// (cmd/webhook/main.go: store.ToContext; knative's admission controllers: apis.WithinCreate).
func (c *config) tektonContext() context.Context {
	return apis.WithinCreate(pipelineconfig.ToContext(context.Background(), c.pipeline))
}

// triggersContext is Triggers' (cmd/webhook/main.go: contexts.WithUpgradeViaDefaulting(store.ToContext(ctx))).
func (c *config) triggersContext() context.Context {
	return apis.WithinCreate(contexts.WithUpgradeViaDefaulting(triggersconfig.ToContext(context.Background(), c.triggers)))
}

// kpackContext is kpack's (cmd/webhook/main.go): no default StorageClass known, so no cache is defaulted.
func (c *config) kpackContext() context.Context {
	return apis.WithinCreate(context.Background())
}
