// What `kubectl kustomize` does with the kpack folder, for the one feature it uses: resources plus
// strategic-merge patches. For a CRD without a patch schema that is a JSON merge of maps.
import { parseAllDocuments, parse } from "yaml";
import { KubernetesObject } from "../../components/kubernetes/types";

type Obj = Record<string, unknown>;

function merge(base: unknown, patch: unknown): unknown {
  if (typeof base !== "object" || base === null || Array.isArray(base)) return patch;
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const out: Obj = { ...(base as Obj) };
  for (const [k, v] of Object.entries(patch as Obj)) out[k] = v === null ? undefined : merge(out[k], v);
  return out;
}

const id = (o: KubernetesObject) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/** Builds a kustomization from its folder's files (name → content). */
export function kustomizeBuild(files: Record<string, string>): KubernetesObject[] {
  const k = parse(files["kustomization.yaml"]) as { resources: string[]; patches: { path: string }[] };
  const objects = k.resources.flatMap((r) => parseAllDocuments(files[r]).map((d) => d.toJS() as KubernetesObject));
  for (const p of k.patches) {
    const patch = parse(files[p.path]) as KubernetesObject;
    const i = objects.findIndex((o) => id(o) === id(patch));
    if (i < 0) throw new Error(`patch ${p.path} matches no resource (${id(patch)})`);
    objects[i] = merge(objects[i], patch) as KubernetesObject;
  }
  return objects;
}
