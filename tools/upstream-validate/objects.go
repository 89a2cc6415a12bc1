package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	kpackv1alpha2 "github.com/pivotal/kpack/pkg/apis/build/v1alpha2"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	triggersv1 "github.com/tektoncd/triggers/pkg/apis/triggers/v1beta1"
	"github.com/tektoncd/triggers/pkg/template"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"knative.dev/pkg/apis"
	webhookjson "knative.dev/pkg/webhook/json"
	"sigs.k8s.io/yaml"
)

// object is one document of a FILE, as the API server would receive it (JSON).
type object struct {
	source string
	raw    []byte
	meta   struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name         string `json:"name"`
			GenerateName string `json:"generateName"`
			Namespace    string `json:"namespace"`
		} `json:"metadata"`
	}
}

func (o *object) String() string {
	name := o.meta.Metadata.Name
	if name == "" {
		name = o.meta.Metadata.GenerateName + "*"
	}
	if o.meta.Metadata.Namespace != "" {
		name = o.meta.Metadata.Namespace + "/" + name
	}
	return fmt.Sprintf("%s: %s %s", o.source, o.meta.Kind, name)
}

type objectSet struct{ objects []*object }

func (s *objectSet) read(file string) error {
	text, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	return s.add(file, text)
}

func (s *objectSet) add(source string, text []byte) error {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(text)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", source, err)
		}
		raw, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return fmt.Errorf("%s: %w", source, err)
		}
		if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
			continue
		}
		o := &object{source: source, raw: raw}
		if err := json.Unmarshal(raw, &o.meta); err != nil {
			return fmt.Errorf("%s: %w", source, err)
		}
		s.objects = append(s.objects, o)
	}
}

// find is the object of this kind, namespace and name, as a lister would return it.
func (s *objectSet) find(kind, namespace, name string) *object {
	for _, o := range s.objects {
		if o.meta.Kind == kind && o.meta.Metadata.Namespace == namespace && o.meta.Metadata.Name == name {
			return o
		}
	}
	return nil
}

// webhookObject is what knative's admission controllers hand a registered kind.
type webhookObject interface {
	runtime.Object
	apis.Defaultable
	apis.Validatable
}

// admit decodes raw as the kind's admission webhook does (unknown fields refused), defaults it as the
// defaulting webhook does, then validates it as the validating webhook does; warnings are returned apart.
func admit(ctx context.Context, raw []byte, into webhookObject) (warnings string, err error) {
	raw, err = withGeneratedName(raw)
	if err != nil {
		return "", err
	}
	// knative.dev/pkg/webhook/resourcesemantics/validation: json.Decode(newBytes, newObj, disallowUnknownFields);
	// Tekton's, Triggers' and kpack's webhooks all set DisallowUnknownFields.
	if err := webhookjson.Decode(raw, into, true); err != nil {
		return "", fmt.Errorf("cannot decode incoming new object: %w", err)
	}
	into.SetDefaults(ctx)
	if result := into.Validate(ctx); result != nil {
		if w := result.Filter(apis.WarningLevel); w != nil {
			warnings = w.Error()
		}
		if e := result.Filter(apis.ErrorLevel); e != nil {
			return warnings, fmt.Errorf("validation failed: %w", e)
		}
	}
	return warnings, nil
}

// withGeneratedName gives an object created by generateName the name the API server gives it before any
// validating webhook sees it (k8s.io/apiserver/pkg/storage/names, SimpleNameGenerator.GenerateName: the
// prefix cut to 58 characters, then 5 random ones); that module is not in this build, its rule is this.
func withGeneratedName(raw []byte) ([]byte, error) {
	var o map[string]interface{}
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, fmt.Errorf("cannot decode incoming new object: %w", err)
	}
	meta, _ := o["metadata"].(map[string]interface{})
	base, _ := meta["generateName"].(string)
	if name, _ := meta["name"].(string); name != "" || base == "" {
		return raw, nil
	}
	const maxGeneratedNameLength = 63 - 5
	if len(base) > maxGeneratedNameLength {
		base = base[:maxGeneratedNameLength]
	}
	meta["name"] = base + utilrand.String(5)
	return json.Marshal(o)
}

// strictDecode is what the API server's strict field validation does with a built-in kind.
func strictDecode(raw []byte, into runtime.Object) error {
	if err := webhookjson.Decode(raw, into, true); err != nil {
		return fmt.Errorf("strict decoding error: %w", err)
	}
	return nil
}

// admit judges every object; a TriggerTemplate's resource templates are judged too, with realistic
// values for its params, as Triggers' sink would create them.
func (s *objectSet) admit(cfg *config) []verdict {
	var out []verdict
	for _, o := range s.objects {
		v := verdict{subject: o.String()}
		switch o.meta.APIVersion + " " + o.meta.Kind {
		case "tekton.dev/v1 Task":
			v.detail, v.err = admit(cfg.tektonContext(), o.raw, &pipelinev1.Task{})
		case "tekton.dev/v1 Pipeline":
			v.detail, v.err = admit(cfg.tektonContext(), o.raw, &pipelinev1.Pipeline{})
		case "tekton.dev/v1 PipelineRun":
			_, v.detail, v.err = s.admitPipelineRun(cfg, o.meta.Metadata.Namespace, o.raw)
		case "triggers.tekton.dev/v1beta1 EventListener":
			v.detail, v.err = admit(cfg.triggersContext(), o.raw, &triggersv1.EventListener{})
		case "triggers.tekton.dev/v1beta1 TriggerBinding":
			v.detail, v.err = admit(cfg.triggersContext(), o.raw, &triggersv1.TriggerBinding{})
		case "triggers.tekton.dev/v1beta1 TriggerTemplate":
			tt := &triggersv1.TriggerTemplate{}
			if v.detail, v.err = admit(cfg.triggersContext(), o.raw, tt); v.err == nil {
				out = append(out, v)
				out = append(out, s.admitTemplated(cfg, o, tt)...)
				continue
			}
		case "kpack.io/v1alpha2 Image":
			v.detail, v.err = admit(cfg.kpackContext(), o.raw, &kpackv1alpha2.Image{})
		case "v1 ServiceAccount":
			v.detail, v.err = "strict decode only (no admission webhook)", strictDecode(o.raw, &corev1.ServiceAccount{})
		case "rbac.authorization.k8s.io/v1 RoleBinding":
			v.detail, v.err = "strict decode only (no admission webhook)", strictDecode(o.raw, &rbacv1.RoleBinding{})
		case "rbac.authorization.k8s.io/v1 ClusterRoleBinding":
			v.detail, v.err = "strict decode only (no admission webhook)", strictDecode(o.raw, &rbacv1.ClusterRoleBinding{})
		default:
			v.err = fmt.Errorf("no upstream validator here for %s %s; judge it elsewhere or teach upstream-validate its kind", o.meta.APIVersion, o.meta.Kind)
		}
		out = append(out, v)
	}
	return out
}

// realisticValue stands in for what a push would bind to a TriggerTemplate param of this name.
func realisticValue(p triggersv1.ParamSpec) string {
	if p.Default != nil {
		return *p.Default
	}
	name := strings.ToUpper(p.Name)
	switch {
	case strings.Contains(name, "REVISION") || strings.Contains(name, "SHA"):
		return "9c2f0e1d4b5a69788776655443322110ffeeddcc"
	case strings.Contains(name, "URL"):
		return "https://github.com/example-org/example-app.git"
	default:
		return "example-" + strings.ToLower(p.Name)
	}
}

// admitTemplated resolves the template with Triggers' own code (template.ResolveResources) and judges
// each resource it would create.
func (s *objectSet) admitTemplated(cfg *config, o *object, tt *triggersv1.TriggerTemplate) []verdict {
	params := make([]triggersv1.Param, 0, len(tt.Spec.Params))
	for _, p := range tt.Spec.Params {
		params = append(params, triggersv1.Param{Name: p.Name, Value: realisticValue(p)})
	}
	var out []verdict
	for i, raw := range template.ResolveResources(tt, params) {
		v := verdict{subject: fmt.Sprintf("%s: resourcetemplates[%d]", o, i)}
		var meta struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		_ = json.Unmarshal(raw, &meta)
		v.subject += " " + meta.Kind
		if meta.APIVersion == "tekton.dev/v1" && meta.Kind == "PipelineRun" {
			_, v.detail, v.err = s.admitPipelineRun(cfg, o.meta.Metadata.Namespace, raw)
		} else {
			v.err = fmt.Errorf("no upstream validator here for %s %s", meta.APIVersion, meta.Kind)
		}
		out = append(out, v)
	}
	return out
}

// admitPipelineRun judges a PipelineRun as the webhook does and then, when its Pipeline is among the
// objects read, as the PipelineRun controller does before it starts any TaskRun.
func (s *objectSet) admitPipelineRun(cfg *config, namespace string, raw []byte) (*pipelinev1.PipelineRun, string, error) {
	pr := &pipelinev1.PipelineRun{}
	warnings, err := admit(cfg.tektonContext(), raw, pr)
	if err != nil {
		return pr, warnings, err
	}
	if pr.Namespace == "" {
		// Triggers' resources.Create: a template without a namespace is created in the EventListener's.
		pr.Namespace = namespace
	}
	checked, err := s.controllerChecks(cfg, pr)
	if err != nil {
		return pr, warnings, err
	}
	return pr, strings.TrimSpace(strings.Join([]string{checked, warnings}, " ")), nil
}
