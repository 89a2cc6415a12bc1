#!/bin/sh
# go preset, test: go test ./..., every package of the module.
set -eu
mkdir -p "${GOPATH}/src/$(dirname "${GO_PACKAGE}")"
ln -s "${PWD}" "${GOPATH}/src/${GO_PACKAGE}"
cd "${GOPATH}/src/${GO_PACKAGE}"
go test ./...
