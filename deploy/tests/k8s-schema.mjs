// Offline schema validation of rendered Kubernetes manifests.
//   node k8s-schema.mjs FILE...
// Built-in kinds are validated against the OpenAPI schemas of the kubernetes-models package.
// Custom resources it has no schema for (Strimzi, Traefik) get a structural check of the fields
// this deployment relies on; any other kind is an error. Names, labels and annotations are
// checked against Kubernetes' syntax rules for every object. Exit status 1 on any problem.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, importModule, loadManifests, modulesDir } from "./lib/manifests.mjs";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function metadataProblems(object) {
  const problems = [];
  const meta = object.metadata;
  if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
    return ["apiVersion and kind must be strings"];
  }
  if (!meta || typeof meta !== "object") {
    return ["metadata is missing"];
  }
  if (typeof meta.name !== "string" || meta.name.length > 253 || !DNS_SUBDOMAIN.test(meta.name)) {
    problems.push(`metadata.name ${JSON.stringify(meta.name)} is not a DNS-1123 subdomain`);
  }
  if (meta.namespace !== undefined && (typeof meta.namespace !== "string" || !DNS_LABEL.test(meta.namespace))) {
    problems.push(`metadata.namespace ${JSON.stringify(meta.namespace)} is not a DNS-1123 label`);
  }
  const keyProblems = (map, what) => {
    for (const [key, value] of Object.entries(map ?? {})) {
      const slash = key.lastIndexOf("/");
      const prefix = slash >= 0 ? key.slice(0, slash) : null;
      const name = slash >= 0 ? key.slice(slash + 1) : key;
      if ((prefix !== null && !DNS_SUBDOMAIN.test(prefix)) || name.length > 63 || !QUALIFIED_NAME.test(name)) {
        problems.push(`${what} key ${JSON.stringify(key)} is not a qualified name`);
      }
      if (typeof value !== "string") {
        problems.push(`${what} ${key} must be a string, got ${JSON.stringify(value)}`);
      } else if (what === "label" && (value.length > 63 || !LABEL_VALUE.test(value))) {
        problems.push(`label value ${JSON.stringify(value)} of ${key} is not a valid label value`);
      }
    }
  };
  keyProblems(meta.labels, "label");
  keyProblems(meta.annotations, "annotation");
  return problems;
}

// What this deployment relies on in the custom resources kubernetes-models has no schema for.
const at = (object, path) => path.split(".").reduce((v, k) => (v === undefined || v === null ? undefined : v[k]), object);
const need = (object, path, test, what) => (test(at(object, path)) ? [] : [`${path} must be ${what}`]);
const isInt = (v) => Number.isInteger(v) && v > 0;
const isArray = (v) => Array.isArray(v) && v.length > 0;
const isString = (v) => typeof v === "string" && v.length > 0;
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const strimziCluster = (o) => need(o, "metadata.labels", (l) => isString(l?.["strimzi.io/cluster"]), "a map with strimzi.io/cluster");

const CUSTOM = {
  "kafka.strimzi.io/v1beta2": {
    Kafka: (o) => [
      ...need(o, "spec.kafka.version", isString, "a Kafka version"),
      ...need(o, "spec.kafka.listeners", isArray, "a non-empty list"),
      ...(at(o, "spec.kafka.listeners") ?? []).flatMap((l, i) => [
        ...(isString(l?.name) && isInt(l?.port) && isString(l?.type) && typeof l?.tls === "boolean" ? []
          : [`spec.kafka.listeners[${i}] needs name, port, type and tls`]),
      ]),
      ...need(o, "spec.entityOperator", isObject, "an object"),
    ],
    KafkaNodePool: (o) => [
      ...strimziCluster(o),
      ...need(o, "spec.replicas", isInt, "a positive integer"),
      ...need(o, "spec.roles", (r) => isArray(r) && r.every((x) => x === "controller" || x === "broker"), "controller and/or broker"),
      ...need(o, "spec.storage.type", (t) => ["jbod", "persistent-claim", "ephemeral"].includes(t), "jbod, persistent-claim or ephemeral"),
    ],
    KafkaTopic: (o) => [
      ...strimziCluster(o),
      ...need(o, "spec.partitions", isInt, "a positive integer"),
      ...need(o, "spec.replicas", isInt, "a positive integer"),
    ],
    KafkaUser: (o) => [
      ...strimziCluster(o),
      ...need(o, "spec.authentication.type", (t) => ["scram-sha-512", "tls", "tls-external"].includes(t), "scram-sha-512, tls or tls-external"),
      ...(at(o, "spec.authorization.acls") ?? []).flatMap((acl, i) =>
        isString(acl?.resource?.type) && isArray(acl?.operations) ? [] : [`spec.authorization.acls[${i}] needs resource.type and operations`]),
    ],
  },
  "traefik.io/v1alpha1": {
    Middleware: (o) => need(o, "spec", (s) => isObject(s) && Object.keys(s).length === 1, "an object with exactly one middleware"),
  },
};

async function validateBuiltIn(object) {
  const file = join(modulesDir(), "kubernetes-models", object.apiVersion, `${object.kind}.js`);
  if (!existsSync(file)) {
    return null;
  }
  const Model = (await importModule(join("kubernetes-models", object.apiVersion, `${object.kind}.js`)))[object.kind];
  try {
    new Model(object).validate();
    return [];
  } catch (e) {
    const errors = e.errors ?? [{ instancePath: "", message: e.message }];
    return errors.map((err) => `${err.instancePath || "/"} ${err.message}${err.params?.allowedValues ? ` (${err.params.allowedValues.join(", ")})` : ""}`);
  }
}

async function main(files) {
  const docs = await loadManifests(files);
  let failed = 0;
  const counts = { schema: 0, structural: 0 };
  for (const { file, object } of docs) {
    const problems = metadataProblems(object);
    if (problems.length === 0) {
      const builtIn = await validateBuiltIn(object);
      if (builtIn !== null) {
        problems.push(...builtIn);
        counts.schema++;
      } else if (CUSTOM[object.apiVersion]?.[object.kind]) {
        problems.push(...CUSTOM[object.apiVersion][object.kind](object));
        counts.structural++;
      } else {
        problems.push(`no schema for ${object.apiVersion} ${object.kind}: neither kubernetes-models nor this check knows it`);
      }
    }
    for (const problem of problems) {
      console.log(`schema: ${file}: ${describe(object)}: ${problem}`);
      failed++;
    }
  }
  console.log(`schema: ${docs.length} objects (${counts.schema} against the OpenAPI schema, ${counts.structural} custom resources checked structurally), ${failed} problems`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main(process.argv.slice(2));
