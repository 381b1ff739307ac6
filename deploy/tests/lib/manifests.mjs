// Shared by the deploy checks: loading rendered manifests and walking their pod templates.
// The npm packages (yaml, kubernetes-models) live in a cache outside the repository; its
// node_modules directory comes in DEPLOY_CHECK_MODULES (scripts/check-deploy.sh sets it).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export function modulesDir() {
  const dir = process.env.DEPLOY_CHECK_MODULES;
  if (!dir) {
    throw new Error("DEPLOY_CHECK_MODULES must name the node_modules directory holding yaml and kubernetes-models");
  }
  return dir;
}

/** Imports a file of an npm package from the cache, bypassing the repository's resolution. */
export async function importModule(relativePath) {
  return import(pathToFileURL(join(modulesDir(), relativePath)).href);
}

/** Every YAML document of the files, as { file, index, object }; empty documents dropped. */
export async function loadManifests(files) {
  const YAML = (await importModule("yaml/dist/index.js")).default;
  const docs = [];
  for (const file of files) {
    const parsed = YAML.parseAllDocuments(readFileSync(file, "utf8"));
    parsed.forEach((doc, index) => {
      if (doc.errors.length > 0) {
        throw new Error(`${file}: document ${index + 1}: ${doc.errors[0].message}`);
      }
      const object = doc.toJS();
      if (object !== null && object !== undefined) {
        docs.push({ file, index, object });
      }
    });
  }
  return docs;
}

export function describe(object) {
  const ns = object?.metadata?.namespace ? `${object.metadata.namespace}/` : "";
  return `${object?.kind ?? "?"} ${ns}${object?.metadata?.name ?? "?"}`;
}

const LONG_RUNNING = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"]);

/**
 * The pod template of a workload, or null: { template, longRunning }. Long-running workloads
 * need probes; Jobs and CronJobs run to completion and do not.
 */
export function podTemplate(object) {
  const kind = object?.kind;
  if (LONG_RUNNING.has(kind)) {
    return { template: object.spec?.template ?? {}, longRunning: true };
  }
  if (kind === "Job") {
    return { template: object.spec?.template ?? {}, longRunning: false };
  }
  if (kind === "CronJob") {
    return { template: object.spec?.jobTemplate?.spec?.template ?? {}, longRunning: false };
  }
  if (kind === "Pod") {
    const restart = object.spec?.restartPolicy ?? "Always";
    return { template: { metadata: object.metadata, spec: object.spec ?? {} }, longRunning: restart === "Always" };
  }
  return null;
}

/** Containers of a pod spec with their role: "container" or "initContainer". */
export function containersOf(spec) {
  return [
    ...(spec?.initContainers ?? []).map((c) => ({ container: c, role: "initContainer" })),
    ...(spec?.containers ?? []).map((c) => ({ container: c, role: "container" })),
  ];
}

/** Calls visit(value, path) for every string, and every key, in a parsed object. */
export function walkStrings(value, visit, path = "") {
  if (typeof value === "string") {
    visit(value, path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => walkStrings(item, visit, `${path}[${i}]`));
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      visit(key, `${path}.${key} (key)`);
      walkStrings(item, visit, path ? `${path}.${key}` : key);
    }
  }
}
