/**
 * The preset lint and test of each ecosystem: its ordinary commands on its official image, at the tag
 * the app's toolchains name. Each step is a script file beside this one, so tests run exactly what the
 * cluster runs (tests/tekton/presets.test.ts, slow: each on this machine's toolchains).
 */
import * as fs from "fs";
import * as path from "path";
import { CustomCheck, Language, Toolchains } from "../config/settings";
import { EnvVar } from "../kubernetes/types";
import { envVars, HOME_PATH } from "./steps";

/** One lint or test step: where it runs, what it runs, and what its script reads from env. */
export interface CheckStep {
  image: string;
  script: string;
  env?: EnvVar[];
}

/** What lints and tests an app: lint is absent only when the app's own test comes without a lint. */
export interface AppCheckSteps {
  lint?: CheckStep;
  test: CheckStep;
}

/**
 * The Python tools the python preset installs when the project brings none, pinned here (PyPI): ruff
 * 0.17.5 (2026-11), flake8 7.5.0 (2026-10), pytest 9.2.0 (2026-10).
 */
export const PYTHON_TOOLS = { RUFF_VERSION: "0.17.5", FLAKE8_VERSION: "7.5.0", PYTEST_VERSION: "9.2.0" } as const;

/** The script of a preset step, from its file. */
export function presetScript(language: Language, step: "lint" | "test"): string {
  return fs.readFileSync(path.join(__dirname, "presets", `${language}-${step}.sh`), "utf8");
}

/** Each ecosystem's caches, under HOME (an emptyDir): never a folder of the image's, which root owns. */
const CACHES: Record<Language, Record<string, string>> = {
  // The golang images set GOPATH=/go; the build cache and golangci-lint's follow XDG_CACHE_HOME.
  go: { GOPATH: `${HOME_PATH}/go`, GOCACHE: `${HOME_PATH}/.cache/go-build`, GOLANGCI_LINT_CACHE: `${HOME_PATH}/.cache/golangci-lint` },
  node: { npm_config_cache: `${HOME_PATH}/.npm` },
  python: { PIP_CACHE_DIR: `${HOME_PATH}/.cache/pip` },
  // Java takes user.home from the user's passwd entry, which the fixed user has none of in these images.
  maven: { MAVEN_REPO_LOCAL: `${HOME_PATH}/.m2/repository`, MAVEN_OPTS: `-Duser.home=${HOME_PATH}` },
  gradle: { GRADLE_USER_HOME: `${HOME_PATH}/.gradle`, GRADLE_OPTS: `-Duser.home=${HOME_PATH}` },
};

/** The official images of each ecosystem, at the app's tags. */
function images(t: Toolchains): Record<Language, { lint: string; test: string }> {
  const both = (image: string) => ({ lint: image, test: image });
  return {
    go: { lint: `docker.io/golangci/golangci-lint:${t.golangciLintVersion}`, test: `docker.io/library/golang:${t.goVersion}` },
    node: both(`docker.io/library/node:${t.nodeVersion}`),
    python: both(`docker.io/library/python:${t.pythonVersion}`),
    maven: both(`docker.io/library/maven:${t.mavenVersion}`),
    gradle: both(`docker.io/library/eclipse-temurin:${t.javaVersion}`),
  };
}

export interface PresetArgs {
  language: Language;
  toolchains: Toolchains;
  /** go: the import path the app builds under. */
  goPackage: string;
}

/** The lint and test steps of a preset. */
export function presetSteps(a: PresetArgs): Required<AppCheckSteps> {
  const image = images(a.toolchains)[a.language];
  const own: Record<Language, Record<string, string>> = {
    go: { GO_PACKAGE: a.goPackage },
    node: {},
    python: { ...PYTHON_TOOLS },
    maven: {},
    gradle: {},
  };
  const stepEnv = envVars({ ...CACHES[a.language], ...own[a.language] });
  const step = (which: "lint" | "test"): CheckStep => ({ image: image[which], script: presetScript(a.language, which), env: stepEnv });
  return { lint: step("lint"), test: step("test") };
}

/** An app's own steps: its image and script, nothing else of a preset's. */
export function customSteps(c: { lint?: CustomCheck; test: CustomCheck }): AppCheckSteps {
  return { test: { ...c.test }, ...(c.lint ? { lint: { ...c.lint } } : {}) };
}
