// Generates the Pulumi schema of the e2e's GitHub provider: `pulumi-tfgen-github schema --out DIR`.
package main

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"

	"e2etools/github-provider/provider"
)

// version is set at build time (-X main.version=...).
var version = "0.0.0-dev"

func main() {
	tfgen.Main("github", version, provider.Info(version))
}
