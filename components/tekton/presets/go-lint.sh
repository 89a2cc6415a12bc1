#!/bin/sh
# go preset, lint: golangci-lint run, with the app's own .golangci.yml when it has one.
set -eu
# The import path the app builds under (goPackage), as GOPATH layout has it; a module builds anywhere.
mkdir -p "${GOPATH}/src/$(dirname "${GO_PACKAGE}")"
ln -s "${PWD}" "${GOPATH}/src/${GO_PACKAGE}"
cd "${GOPATH}/src/${GO_PACKAGE}"
golangci-lint run
