package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"github.com/tektoncd/triggers/pkg/apis/triggers/v1alpha1"
	triggersv1 "github.com/tektoncd/triggers/pkg/apis/triggers/v1beta1"
	listersv1alpha1 "github.com/tektoncd/triggers/pkg/client/listers/triggers/v1alpha1"
	"github.com/tektoncd/triggers/pkg/interceptors"
	"github.com/tektoncd/triggers/pkg/interceptors/github"
	"github.com/tektoncd/triggers/pkg/interceptors/server"
	"github.com/tektoncd/triggers/pkg/sink"
	"github.com/tektoncd/triggers/pkg/template"
	"go.uber.org/zap"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/cache"
	"knative.dev/pkg/apis"
	duckv1 "knative.dev/pkg/apis/duck/v1"
)

// pushCase is one GitHub webhook delivery to replay through an EventListener, and what should come of it.
type pushCase struct {
	Name     string `json:"name"`
	Listener struct {
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
	} `json:"listener"`
	// Event is the X-GitHub-Event header.
	Event string `json:"event"`
	// Payload is the body, sent byte for byte as given.
	Payload json.RawMessage `json:"payload"`
	// WebhookSecret is the value of the Secret the github interceptor reads; SigningSecret is what the
	// delivery is signed with (GitHub signs with the webhook's secret; a different one is a forgery).
	WebhookSecret string `json:"webhookSecret"`
	SigningSecret string `json:"signingSecret"`
	Expect        struct {
		// Run: whether a PipelineRun is created; Params: values it must carry, by Pipeline param name.
		// RefusedWith: words the refusal must contain when no run is expected.
		Run         bool              `json:"run"`
		Params      map[string]string `json:"params"`
		RefusedWith string            `json:"refusedWith"`
	} `json:"expect"`
}

func readPushes(file string) ([]pushCase, error) {
	text, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var cases []pushCase
	dec := json.NewDecoder(strings.NewReader(string(text)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cases); err != nil {
		return nil, fmt.Errorf("--pushes %s: %w", file, err)
	}
	return cases, nil
}

// sign is GitHub's X-Hub-Signature-256: the HMAC-SHA256 of the body with the webhook's secret, in hex.
func sign(body []byte, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// replayPush delivers one push the way the EventListener sink handles it (pkg/sink/sink.go: HandleEvent
// merges the EventListener's triggers, processTrigger runs ExecuteTriggerInterceptors, then
// template.ResolveTrigger, ResolveParams and ResolveResources), with Triggers' core interceptors served
// over HTTP by Triggers' own interceptor server as the ClusterInterceptors are. Creating the resources is
// replaced by judging them with Tekton's webhook and controller checks.
func replayPush(cfg *config, set *objectSet, c pushCase) verdict {
	v := verdict{subject: fmt.Sprintf("push %q to EventListener %s/%s", c.Name, c.Listener.Namespace, c.Listener.Name)}
	runs, refused, err := deliver(cfg, set, c)
	if err != nil {
		v.err = err
		return v
	}
	switch {
	case !c.Expect.Run && len(runs) == 0 && !strings.Contains(refused, c.Expect.RefusedWith):
		v.err = fmt.Errorf("no run, as expected, but refused for another reason than %q: %s", c.Expect.RefusedWith, refused)
	case !c.Expect.Run && len(runs) == 0:
		v.detail = "no run, as expected: " + refused
	case !c.Expect.Run:
		v.err = fmt.Errorf("expected no run, but the trigger created %d: %s", len(runs), strings.Join(runSummaries(runs), "; "))
	case len(runs) != 1:
		v.err = fmt.Errorf("expected one PipelineRun, got %d (%s)", len(runs), refused)
	default:
		run := runs[0]
		if run.err != nil {
			v.err = fmt.Errorf("the PipelineRun it creates is refused: %w", run.err)
			return v
		}
		var wrong []string
		for _, name := range sortedKeys(c.Expect.Params) {
			if got := paramValue(run.pr, name); got != c.Expect.Params[name] {
				wrong = append(wrong, fmt.Sprintf("param %s is %q, expected %q", name, got, c.Expect.Params[name]))
			}
		}
		if len(wrong) > 0 {
			v.err = fmt.Errorf("the PipelineRun's %s", strings.Join(wrong, "; "))
			return v
		}
		v.detail = fmt.Sprintf("%s; %s", runSummaries(runs)[0], run.detail)
	}
	return v
}

type createdRun struct {
	pr     *pipelinev1.PipelineRun
	detail string
	err    error
}

func runSummaries(runs []createdRun) []string {
	var out []string
	for _, r := range runs {
		var params []string
		for _, p := range r.pr.Spec.Params {
			params = append(params, p.Name+"="+p.Value.StringVal)
		}
		out = append(out, fmt.Sprintf("PipelineRun %s* (%s)", r.pr.GenerateName, strings.Join(params, ", ")))
	}
	return out
}

func paramValue(pr *pipelinev1.PipelineRun, name string) string {
	for _, p := range pr.Spec.Params {
		if p.Name == name {
			return p.Value.StringVal
		}
	}
	return ""
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// deliver returns the PipelineRuns the delivery creates and, when none, why the chain stopped.
func deliver(cfg *config, set *objectSet, c pushCase) ([]createdRun, string, error) {
	ns := c.Listener.Namespace
	elObject := set.find("EventListener", ns, c.Listener.Name)
	if elObject == nil {
		return nil, "", fmt.Errorf("no EventListener %s/%s among the objects read", ns, c.Listener.Name)
	}
	el := &triggersv1.EventListener{}
	if _, err := admit(cfg.triggersContext(), elObject.raw, el); err != nil {
		return nil, "", fmt.Errorf("the EventListener is refused: %w", err)
	}

	// The Secrets the interceptors read hold the webhook secret; anything else they ask for is not there.
	kube := fake.NewSimpleClientset()
	for _, t := range el.Spec.Triggers {
		for _, i := range t.Interceptors {
			// Read as the github interceptor reads its params (github.go, Process: interceptors.UnmarshalParams).
			var p github.InterceptorParams
			if err := interceptors.UnmarshalParams(interceptors.GetInterceptorParams(i), &p); err != nil || p.SecretRef == nil {
				continue
			}
			secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: p.SecretRef.SecretName, Namespace: ns}, Data: map[string][]byte{p.SecretRef.SecretKey: []byte(c.WebhookSecret)}}
			_, _ = kube.CoreV1().Secrets(ns).Create(context.Background(), secret, metav1.CreateOptions{})
		}
	}
	logger := zap.NewNop().Sugar()
	core, err := server.NewWithCoreInterceptors(interceptors.DefaultSecretGetter(kube.CoreV1()), logger)
	if err != nil {
		return nil, "", err
	}
	srv := httptest.NewServer(core)
	defer srv.Close()
	clusterInterceptors := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	for _, name := range []string{"bitbucket", "cel", "github", "gitlab", "slack"} {
		url, err := apis.ParseURL(srv.URL + "/" + name)
		if err != nil {
			return nil, "", err
		}
		ci := &v1alpha1.ClusterInterceptor{ObjectMeta: metav1.ObjectMeta{Name: name}}
		ci.Status.AddressStatus = duckv1.AddressStatus{Address: &duckv1.Addressable{URL: url}}
		if err := clusterInterceptors.Add(ci); err != nil {
			return nil, "", err
		}
	}
	s := sink.Sink{
		HTTPClient:               srv.Client(),
		Logger:                   logger,
		EventListenerName:        el.Name,
		EventListenerNamespace:   ns,
		ClusterInterceptorLister: listersv1alpha1.NewClusterInterceptorLister(clusterInterceptors),
	}

	body := []byte(c.Payload)
	request, err := http.NewRequest(http.MethodPost, fmt.Sprintf("http://el-%s.%s.svc.cluster.local:8080/", el.Name, ns), strings.NewReader(string(body)))
	if err != nil {
		return nil, "", err
	}
	request.Header.Set("Content-Type", "application/json")
	request.Header.Set("User-Agent", "GitHub-Hookshot/upstream-validate")
	request.Header.Set("X-GitHub-Event", c.Event)
	request.Header.Set("X-GitHub-Delivery", "00000000-0000-4000-8000-000000000000")
	request.Header.Set("X-Hub-Signature-256", sign(body, c.SigningSecret))

	var runs []createdRun
	var stops []string
	eventID := template.UUID()
	for _, et := range el.Spec.Triggers {
		if et.Template == nil {
			return nil, "", fmt.Errorf("trigger %q refers to a Trigger object (%q); only triggers inline in the EventListener are replayed here", et.Name, et.TriggerRef)
		}
		// sink.go, merge: an inline trigger becomes a Trigger in the EventListener's namespace.
		t := triggersv1.Trigger{
			ObjectMeta: metav1.ObjectMeta{Name: et.Name, Namespace: ns},
			Spec: triggersv1.TriggerSpec{
				ServiceAccountName: et.ServiceAccountName,
				Bindings:           et.Bindings,
				Template:           *et.Template,
				Interceptors:       et.Interceptors,
			},
		}
		payload, header, iresp, err := s.ExecuteTriggerInterceptors(t, request.Clone(context.Background()), body, logger, eventID, map[string]interface{}{})
		if err != nil {
			stops = append(stops, fmt.Sprintf("trigger %s: %v", t.Name, err))
			continue
		}
		if iresp != nil && !iresp.Continue {
			stops = append(stops, fmt.Sprintf("trigger %s: interceptor stopped trigger processing: %v", t.Name, iresp.Status.Err()))
			continue
		}
		rt, err := template.ResolveTrigger(t,
			lister[triggersv1.TriggerBinding](cfg, set, "TriggerBinding", "triggerbinding.triggers.tekton.dev", ns),
			clusterBindingGetter,
			lister[triggersv1.TriggerTemplate](cfg, set, "TriggerTemplate", "triggertemplate.triggers.tekton.dev", ns))
		if err != nil {
			return nil, "", fmt.Errorf("trigger %s: %w", t.Name, err)
		}
		extensions := map[string]interface{}{}
		if iresp != nil && iresp.Extensions != nil {
			extensions = iresp.Extensions
		}
		params, err := template.ResolveParams(rt, payload, header, extensions, template.NewTriggerContext(eventID))
		if err != nil {
			return nil, "", fmt.Errorf("trigger %s: %w", t.Name, err)
		}
		for _, raw := range template.ResolveResources(rt.TriggerTemplate, params) {
			var run createdRun
			run.pr, run.detail, run.err = set.admitPipelineRun(cfg, ns, raw)
			runs = append(runs, run)
		}
	}
	return runs, strings.Join(stops, "; "), nil
}

// lister hands the sink's resolver the stored objects of a kind in the namespace, as its lister would:
// as their webhooks admitted them.
func lister[T any, P interface {
	*T
	webhookObject
}](cfg *config, set *objectSet, kind, resource, ns string) func(string) (P, error) {
	return func(name string) (P, error) {
		o := set.find(kind, ns, name)
		if o == nil {
			return nil, fmt.Errorf("%s %q not found", resource, name)
		}
		obj := P(new(T))
		_, err := admit(cfg.triggersContext(), o.raw, obj)
		return obj, err
	}
}

func clusterBindingGetter(name string) (*triggersv1.ClusterTriggerBinding, error) {
	return nil, fmt.Errorf("clustertriggerbinding.triggers.tekton.dev %q not found (none are read here)", name)
}
