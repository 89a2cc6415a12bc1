// The GitHub provider plugin of the e2e. The build writes schema.json beside this file first, generated
// by pulumi-tfgen-github from the same ProviderInfo (scripts/e2e-tools.sh).
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	"e2etools/github-provider/provider"
)

//go:embed schema.json
var pulumiSchema []byte

// version is set at build time (-X main.version=...).
var version = "0.0.0-dev"

func main() {
	tfbridge.Main("github", version, provider.Info(version), pulumiSchema)
}
