// Package provider describes, for the Terraform bridge, the GitHub provider that the e2e runs: the
// upstream terraform-provider-github wrapped as a Pulumi plugin with the names @pulumi/github uses.
// It is the project's own ProviderInfo, written from the bridge's documented API; the official
// pulumi-github plugin is what users run.
package provider

import (
	"github.com/integrations/terraform-provider-github/v6/github"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
)

// Info is the bridge's description of the provider at the given version (what the plugin reports).
func Info(version string) tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:          shimv2.NewProvider(github.NewProvider(version, "")()),
		Name:       "github",
		Version:    version,
		GitHubOrg:  "integrations",
		License:    "Apache-2.0",
		Repository: "https://github.com/pulumi/pulumi-github",
		// What @pulumi/github's Provider reads from the environment, and keeps secret.
		Config: map[string]*tfbridge.SchemaInfo{
			"token": {
				Default: &tfbridge.DefaultInfo{EnvVars: []string{"GITHUB_TOKEN"}},
				Secret:  tfbridge.True(),
			},
			"base_url": {
				Default: &tfbridge.DefaultInfo{EnvVars: []string{"GITHUB_BASE_URL"}},
			},
		},
	}
	// github_repository_file -> github:index/repositoryFile:RepositoryFile, github_branch -> github:index/getBranch:getBranch.
	info.MustComputeTokens(tokens.SingleModule("github_", "index", tokens.MakeStandard("github")))
	return info
}
