#!/bin/sh
# gradle preset, test: the project's Gradle wrapper's check, which runs the tests.
set -eu
sh ./gradlew --no-daemon check
