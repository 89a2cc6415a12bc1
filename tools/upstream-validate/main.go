// upstream-validate judges rendered objects with the code that judges them in a cluster: Tekton's,
// Triggers' and kpack's admission webhooks (strict decode, SetDefaults, Validate within a create), the
// Tekton PipelineRun controller's checks against its Pipeline, and the Triggers EventListener sink's
// interceptor chain and binding/template resolution for GitHub push deliveries.
//
// usage: upstream-validate --pipeline-config DIR --triggers-config DIR [--feature-flags FILE]
//
//	[--pushes FILE] FILE...
//
// Every FILE is multi-document YAML; every object in it is judged. One line per object (and per push
// replayed), then `upstream-validate: N passed, M failed`; the exit status is 1 on any failure.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

// verdict is what was judged and, when it failed, upstream's words for why.
type verdict struct {
	subject string
	detail  string
	err     error
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("upstream-validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pipelineConfig := fs.String("pipeline-config", "", "the Tekton Pipelines release's config/ folder (config-feature-flags.yaml, config-defaults.yaml)")
	triggersConfig := fs.String("triggers-config", "", "the Tekton Triggers release's config/ folder (config-feature-flags.yaml, config-defaults-triggers.yaml)")
	featureFlags := fs.String("feature-flags", "", "a cluster's feature-flags ConfigMap (YAML) to judge Tekton objects with, instead of the release's")
	pushes := fs.String("pushes", "", "JSON list of GitHub push deliveries to replay through the EventListeners (see pushes.go)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *pipelineConfig == "" || *triggersConfig == "" || fs.NArg() == 0 {
		fmt.Fprintln(stderr, "upstream-validate: --pipeline-config DIR, --triggers-config DIR and at least one FILE are required")
		fs.Usage()
		return 2
	}
	cfg, err := loadConfig(*pipelineConfig, *triggersConfig, *featureFlags)
	if err != nil {
		fmt.Fprintf(stderr, "upstream-validate: %v\n", err)
		return 2
	}
	var set objectSet
	for _, file := range fs.Args() {
		if err := set.read(file); err != nil {
			fmt.Fprintf(stderr, "upstream-validate: %v\n", err)
			return 2
		}
	}
	verdicts := set.admit(cfg)
	if *pushes != "" {
		cases, err := readPushes(*pushes)
		if err != nil {
			fmt.Fprintf(stderr, "upstream-validate: %v\n", err)
			return 2
		}
		for _, c := range cases {
			verdicts = append(verdicts, replayPush(cfg, &set, c))
		}
	}
	return report(verdicts, stdout)
}

func report(verdicts []verdict, out io.Writer) int {
	passed, failed := 0, 0
	for _, v := range verdicts {
		if v.err != nil {
			failed++
			fmt.Fprintf(out, "FAIL %s: %v\n", v.subject, v.err)
			continue
		}
		passed++
		if v.detail != "" {
			fmt.Fprintf(out, "ok   %s: %s\n", v.subject, v.detail)
		} else {
			fmt.Fprintf(out, "ok   %s\n", v.subject)
		}
	}
	fmt.Fprintf(out, "upstream-validate: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return 1
	}
	return 0
}
