// Reads a JSON list of strings on stdin and prints, for each, why Go refuses it as an import path
// (golang.org/x/mod/module.CheckImportPath), or "" where Go accepts it. The config's goPackage check
// (components/config/validators.ts, goImportPath) is tested against this.
package main

import (
	"encoding/json"
	"errors"
	"os"

	"golang.org/x/mod/module"
)

func main() {
	var paths []string
	if err := json.NewDecoder(os.Stdin).Decode(&paths); err != nil {
		panic(err)
	}
	verdicts := make([]string, len(paths))
	for i, path := range paths {
		err := module.CheckImportPath(path)
		var invalid *module.InvalidPathError
		if errors.As(err, &invalid) {
			verdicts[i] = invalid.Err.Error()
		} else if err != nil {
			verdicts[i] = err.Error()
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(verdicts); err != nil {
		panic(err)
	}
}
