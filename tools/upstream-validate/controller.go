package main

import (
	"fmt"
	"strings"

	pipelineconfig "github.com/tektoncd/pipeline/pkg/apis/config"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"github.com/tektoncd/pipeline/pkg/reconciler/pipeline/dag"
	prresources "github.com/tektoncd/pipeline/pkg/reconciler/pipelinerun/resources"
	"github.com/tektoncd/pipeline/pkg/reconciler/taskrun"
	trresources "github.com/tektoncd/pipeline/pkg/reconciler/taskrun/resources"
	"github.com/tektoncd/pipeline/pkg/reconciler/volumeclaim"
	"github.com/tektoncd/pipeline/pkg/workspace"
	corev1 "k8s.io/api/core/v1"
	"knative.dev/pkg/kmeta"
)

// controllerChecks runs, in the PipelineRun reconciler's order (pkg/reconciler/pipelinerun/pipelinerun.go,
// reconcile), the checks it makes before creating TaskRuns, each failing with the reconciler's message:
// the Pipeline's DAG and spec, params and workspaces the Pipeline needs; then, for each PipelineTask that
// names a Task among the objects read, the TaskRun checks (ValidateResolvedTask, as pipelinerun.go calls it
// for every resolved task; workspace.ValidateBindings and, under coschedule "workspaces",
// ValidateOnlyOnePVCIsUsed, as pkg/reconciler/taskrun/taskrun.go does on the TaskRun it is handed).
// Tasks fetched by a resolver (git, bundles) are not resolved here: the network is not.
func (s *objectSet) controllerChecks(cfg *config, pr *pipelinev1.PipelineRun) (string, error) {
	ctx := cfg.tektonContext()
	if pr.Spec.PipelineRef == nil || pr.Spec.PipelineRef.Name == "" || pr.Spec.PipelineRef.Resolver != "" {
		return "", nil
	}
	name := pr.Spec.PipelineRef.Name
	po := s.find("Pipeline", pr.Namespace, name)
	if po == nil {
		return "", fmt.Errorf("the PipelineRun refers to Pipeline %s/%s, which is not among the objects read: the controller would fail it (CouldntGetPipeline)", pr.Namespace, name)
	}
	pipeline := &pipelinev1.Pipeline{}
	if _, err := admit(ctx, po.raw, pipeline); err != nil {
		return "", fmt.Errorf("its Pipeline %s/%s is refused: %w", pr.Namespace, name, err)
	}
	spec := &pipeline.Spec
	runName := pr.Name
	if runName == "" {
		runName = pr.GenerateName + "x1y2z"
	}
	where := fmt.Sprintf("PipelineRun %s/%s", pr.Namespace, runName)
	if _, err := dag.Build(pipelinev1.PipelineTaskList(spec.Tasks), pipelinev1.PipelineTaskList(spec.Tasks).Deps()); err != nil {
		return "", fmt.Errorf("%s's Pipeline DAG is invalid: %w", where, err)
	}
	if err := spec.Validate(ctx); err != nil {
		return "", fmt.Errorf("Pipeline %s/%s can't be Run; it has an invalid spec: %w", pr.Namespace, name, err)
	}
	if err := prresources.ValidateRequiredParametersProvided(&spec.Params, &pr.Spec.Params); err != nil {
		return "", fmt.Errorf("%s is missing some parameters required by Pipeline %s/%s: %w", where, pr.Namespace, name, err)
	}
	if err := prresources.ValidateParamTypesMatching(spec, pr); err != nil {
		return "", fmt.Errorf("%s parameters have mismatching types with Pipeline %s/%s's parameters: %w", where, pr.Namespace, name, err)
	}
	if pipelineconfig.FromContextOrDefaults(ctx).FeatureFlags.EnableParamEnum {
		if err := taskrun.ValidateEnumParam(ctx, pr.Spec.Params, spec.Params); err != nil {
			return "", fmt.Errorf("%s parameters have invalid value: %w", where, err)
		}
	}
	if err := prresources.ValidateObjectParamRequiredKeys(spec.Params, pr.Spec.Params); err != nil {
		return "", fmt.Errorf("%s parameters is missing object keys required by Pipeline %s/%s's parameters: %w", where, pr.Namespace, name, err)
	}
	if err := prresources.ValidateParamArrayIndex(spec, pr.Spec.Params); err != nil {
		return "", fmt.Errorf("%s failed validation: failed to validate Pipeline %s/%s's parameter which has an invalid index while referring to an array: %w", where, pr.Namespace, name, err)
	}
	if err := prresources.ValidateWorkspaceBindings(spec, pr); err != nil {
		return "", fmt.Errorf("%s doesn't bind Pipeline %s/%s's Workspaces correctly: %w", where, pr.Namespace, name, err)
	}
	if err := prresources.ValidateTaskRunSpecs(spec, pr); err != nil {
		return "", fmt.Errorf("%s doesn't define taskRunSpecs correctly: %w", where, err)
	}

	var judged []string
	for _, pt := range append(append([]pipelinev1.PipelineTask{}, spec.Tasks...), spec.Finally...) {
		bindings, err := taskRunWorkspaces(pr, pt)
		if err != nil {
			return "", err
		}
		// Under the release's default coschedule "workspaces" (AffinityAssistantPerWorkspace), the TaskRun
		// reconciler refuses a TaskRun that mounts two claims.
		if pipelineconfig.FromContextOrDefaults(ctx).FeatureFlags.Coschedule == pipelineconfig.CoscheduleWorkspaces {
			if err := workspace.ValidateOnlyOnePVCIsUsed(bindings); err != nil {
				return "", fmt.Errorf("TaskRun of pipeline task %q: TaskRun workspaces incompatible with Affinity Assistant: %w", pt.Name, err)
			}
		}
		if pt.TaskRef == nil || pt.TaskRef.Resolver != "" || pt.TaskRef.Name == "" {
			continue
		}
		to := s.find("Task", pr.Namespace, pt.TaskRef.Name)
		if to == nil {
			return "", fmt.Errorf("pipeline task %q refers to Task %s/%s, which is not among the objects read: the controller would fail the run (CouldntGetTask)", pt.Name, pr.Namespace, pt.TaskRef.Name)
		}
		task := &pipelinev1.Task{}
		if _, err := admit(ctx, to.raw, task); err != nil {
			return "", fmt.Errorf("pipeline task %q: its Task is refused: %w", pt.Name, err)
		}
		resolved := &trresources.ResolvedTask{TaskName: task.Name, Kind: pipelinev1.NamespacedTaskKind, TaskSpec: &task.Spec}
		if err := taskrun.ValidateResolvedTask(ctx, pt.Params, pt.Matrix, resolved); err != nil {
			return "", fmt.Errorf("pipeline task %q: %w", pt.Name, err)
		}
		if err := workspace.ValidateBindings(ctx, task.Spec.Workspaces, bindings); err != nil {
			return "", fmt.Errorf("pipeline task %q: TaskRun's workspaces are invalid: %w", pt.Name, err)
		}
		if err := restrictedPod(ctx, pr, pt, task, bindings); err != nil {
			return "", fmt.Errorf("pipeline task %q: %w", pt.Name, err)
		}
		judged = append(judged, pt.Name)
	}
	detail := fmt.Sprintf("controller checks against Pipeline %s/%s pass", pr.Namespace, name)
	if len(judged) > 0 {
		detail += fmt.Sprintf(" (and TaskRun checks of %s, each TaskRun's pod as Tekton builds it passing PodSecurity restricted)", strings.Join(judged, ", "))
	}
	return detail, nil
}

// taskRunWorkspaces are the workspaces the PipelineRun reconciler gives the TaskRun of pt
// (pipelinerun.go, getTaskrunWorkspaces and taskWorkspaceByWorkspaceVolumeSource, under the default
// coschedule "workspaces"): a volumeClaimTemplate binding becomes the claim made from it for this run.
func taskRunWorkspaces(pr *pipelinev1.PipelineRun, pt pipelinev1.PipelineTask) ([]pipelinev1.WorkspaceBinding, error) {
	byName := map[string]pipelinev1.WorkspaceBinding{}
	for _, b := range pr.Spec.Workspaces {
		byName[b.Name] = b
	}
	var out []pipelinev1.WorkspaceBinding
	for _, ws := range pt.Workspaces {
		pipelineWorkspace := ws.Workspace
		if pipelineWorkspace == "" {
			pipelineWorkspace = ws.Name
		}
		b, ok := byName[pipelineWorkspace]
		if !ok {
			// getTaskrunWorkspaces fails unless the Task declares it optional; ValidateBindings says which.
			continue
		}
		if b.VolumeClaimTemplate == nil {
			binding := *b.DeepCopy()
			binding.Name = ws.Name
			binding.SubPath = joinSubPath(b.SubPath, ws.SubPath)
			out = append(out, binding)
			continue
		}
		out = append(out, pipelinev1.WorkspaceBinding{
			Name:    ws.Name,
			SubPath: joinSubPath(b.SubPath, ws.SubPath),
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{
				ClaimName: volumeclaim.GeneratePVCNameFromWorkspaceBinding(b.VolumeClaimTemplate.Name, b, *kmeta.NewControllerRef(pr)),
			},
		})
	}
	return out, nil
}

// joinSubPath is pipelinerun.go's combinedSubPath.
func joinSubPath(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "/" + b
}
