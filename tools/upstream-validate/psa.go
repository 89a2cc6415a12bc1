package main

import (
	"context"
	"fmt"

	pipelineconfig "github.com/tektoncd/pipeline/pkg/apis/config"
	"github.com/tektoncd/pipeline/pkg/apis/pipeline"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"github.com/tektoncd/pipeline/pkg/pod"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// releaseImages stand in for the images the Tekton controller is started with (config/controller.yaml
// flags): Pod Security looks at no image, but pod.Builder wants every one set.
var releaseImages = pipeline.Images{
	EntrypointImage:        "ghcr.io/tektoncd/pipeline/entrypoint:v1.15.0",
	SidecarLogResultsImage: "ghcr.io/tektoncd/pipeline/sidecarlogresults:v1.15.0",
	NopImage:               "ghcr.io/tektoncd/pipeline/nop:v1.15.0",
	ShellImage:             "cgr.dev/chainguard/busybox:latest",
	ShellImageWin:          "mcr.microsoft.com/powershell:nanoserver",
	WorkingDirInitImage:    "ghcr.io/tektoncd/pipeline/workingdirinit:v1.15.0",
}

// restrictedPod builds the Pod the TaskRun reconciler would make for pipeline task pt of run pr
// (pkg/reconciler/taskrun/taskrun.go, createPod: pod.Builder.Build with the TaskRun's pod template and
// workspaces) and judges it with Pod Security Admission's own `restricted` checks, at the latest
// version (k8s.io/pod-security-admission policy: DefaultChecks, EvaluatePod, AggregateCheckResults),
// as the API server does for a namespace labelled pod-security.kubernetes.io/enforce: restricted.
// creds-init is left out: it adds the run's service account's Secrets as secret volumes (which
// restricted allows), and the pipeline's account lists none.
func restrictedPod(ctx context.Context, pr *pipelinev1.PipelineRun, pt pipelinev1.PipelineTask, task *pipelinev1.Task, bindings []pipelinev1.WorkspaceBinding) error {
	cfg := *pipelineconfig.FromContextOrDefaults(ctx)
	flags := *cfg.FeatureFlags
	flags.DisableCredsInit = true
	cfg.FeatureFlags = &flags
	ctx = pipelineconfig.ToContext(ctx, &cfg)
	tr := &pipelinev1.TaskRun{
		TypeMeta:   metav1.TypeMeta{APIVersion: "tekton.dev/v1", Kind: "TaskRun"},
		ObjectMeta: metav1.ObjectMeta{Name: pr.GenerateName + "x1y2z-" + pt.Name, Namespace: pr.Namespace},
		Spec: pipelinev1.TaskRunSpec{
			TaskRef:            pt.TaskRef,
			Params:             pt.Params,
			ServiceAccountName: pr.Spec.TaskRunTemplate.ServiceAccountName,
			PodTemplate:        pr.Spec.TaskRunTemplate.PodTemplate,
			Workspaces:         bindings,
		},
	}
	// No EntrypointCache: every step the project renders is a script, whose command Tekton sets itself,
	// so the builder never asks a registry for an image's entrypoint (pod.go, resolveEntrypoints).
	builder := pod.Builder{Images: releaseImages}
	built, err := builder.Build(ctx, tr, task.Spec)
	if err != nil {
		return fmt.Errorf("Tekton's pod builder refuses it: %w", err)
	}
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		return err
	}
	result := policy.AggregateCheckResults(evaluator.EvaluatePod(psapi.LevelVersion{Level: psapi.LevelRestricted, Version: psapi.LatestVersion()}, &built.ObjectMeta, &built.Spec))
	if !result.Allowed {
		// The API server's words (pod-security-admission admission.go: "violates PodSecurity %q: %s").
		return fmt.Errorf("its pod violates PodSecurity \"restricted:latest\": %s", result.ForbiddenDetail())
	}
	return nil
}
