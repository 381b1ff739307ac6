// Cross-object checks of rendered manifests, which no schema can make: every Secret,
// ConfigMap, volume claim and service account a pod uses exists; every Service, Ingress,
// autoscaler, disruption budget and network policy points at something that exists; every
// "$(VAR)" in args is defined; every in-cluster address in args and env names a Service (or a
// Strimzi bootstrap service) and one of its ports.
//   node k8s-references.mjs DEPLOY_TIME_SECRETS_FILE FILE...
import { readFileSync } from "node:fs";
import { containersOf, describe, loadManifests, podTemplate } from "./lib/manifests.mjs";

const matches = (selector, labels) =>
  selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

function deployTimeSecrets(file) {
  return new Set(readFileSync(file, "utf8").split("\n")
    .map((line) => line.replace(/#.*/, "").trim().split(/\s+/)[0])
    .filter(Boolean));
}

function index(docs) {
  const byKind = new Map();
  for (const { object } of docs) {
    const key = `${object.kind}/${object.metadata?.namespace ?? ""}`;
    if (!byKind.has(key)) byKind.set(key, new Map());
    byKind.get(key).set(object.metadata?.name, object);
  }
  return (kind, ns, name) => byKind.get(`${kind}/${ns ?? ""}`)?.get(name);
}

function main([secretsFile, ...files], docs) {
  const known = deployTimeSecrets(secretsFile);
  const find = index(docs);
  const problems = [];
  const pods = [];
  for (const { object } of docs) {
    const pod = podTemplate(object);
    if (pod) pods.push({ owner: object, ns: object.metadata?.namespace, labels: pod.template.metadata?.labels ?? {}, spec: pod.template.spec ?? {} });
  }
  // Strimzi creates pods, Services and Secrets from the custom resources.
  const kafkas = docs.filter(({ object }) => object.kind === "Kafka").map(({ object }) => object);
  const strimziSecrets = new Set([
    ...kafkas.map((k) => `${k.metadata.namespace ?? ""}/${k.metadata.name}-cluster-ca-cert`),
    ...docs.filter(({ object }) => object.kind === "KafkaUser").map(({ object }) => `${object.metadata.namespace ?? ""}/${object.metadata.name}`),
  ]);
  const strimziSelects = (ns, selector) => kafkas.some((k) => (k.metadata.namespace ?? "") === (ns ?? "")
    && selector?.["strimzi.io/cluster"] === k.metadata.name);
  const anyPod = (ns, selector) => pods.some((p) => p.ns === ns && matches(selector, p.labels)) || strimziSelects(ns, selector);
  const secretExists = (ns, name) => find("Secret", ns, name) || strimziSecrets.has(`${ns ?? ""}/${name}`) || known.has(name);

  // An in-cluster address: a bare service name (one DNS label) and a port.
  const serviceAddress = /^(?:[a-z]+:\/\/)?([a-z0-9]([-a-z0-9]*[a-z0-9])?):(\d+)(?:\/.*)?$/;
  const checkAddress = (ns, text, where) => {
    const m = serviceAddress.exec(text);
    if (!m) return;
    const [host, port] = [m[1], Number(m[3])];
    const kafka = kafkas.find((k) => host === `${k.metadata.name}-kafka-bootstrap` && (k.metadata.namespace ?? "") === (ns ?? ""));
    if (kafka) {
      if (!kafka.spec.kafka.listeners.some((l) => l.port === port)) problems.push(`${where}: ${text}: Kafka ${kafka.metadata.name} has no listener on port ${port}`);
      return;
    }
    const service = find("Service", ns, host);
    if (!service) problems.push(`${where}: ${text}: no Service ${host}`);
    else if (!(service.spec.ports ?? []).some((p) => p.port === port)) problems.push(`${where}: ${text}: Service ${host} has no port ${port}`);
  };

  for (const { owner, ns, spec } of pods) {
    const who = describe(owner);
    if (spec.serviceAccountName && spec.serviceAccountName !== "default" && !find("ServiceAccount", ns, spec.serviceAccountName)) {
      problems.push(`${who}: no ServiceAccount ${spec.serviceAccountName}`);
    }
    for (const volume of spec.volumes ?? []) {
      if (volume.secret && !secretExists(ns, volume.secret.secretName)) problems.push(`${who}: volume ${volume.name}: no Secret ${volume.secret.secretName}`);
      if (volume.configMap && !find("ConfigMap", ns, volume.configMap.name)) problems.push(`${who}: volume ${volume.name}: no ConfigMap ${volume.configMap.name}`);
      if (volume.persistentVolumeClaim && !find("PersistentVolumeClaim", ns, volume.persistentVolumeClaim.claimName)) {
        problems.push(`${who}: volume ${volume.name}: no PersistentVolumeClaim ${volume.persistentVolumeClaim.claimName}`);
      }
    }
    const volumeNames = new Set([...(spec.volumes ?? []).map((v) => v.name), ...(owner.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name)]);
    for (const { container } of containersOf(spec)) {
      const where = `${who} container ${container.name}`;
      const env = new Set((container.env ?? []).map((e) => e.name));
      for (const e of container.env ?? []) {
        const secretRef = e.valueFrom?.secretKeyRef;
        if (secretRef && !secretExists(ns, secretRef.name)) problems.push(`${where}: env ${e.name}: no Secret ${secretRef.name}`);
        const mapRef = e.valueFrom?.configMapKeyRef;
        if (mapRef && !find("ConfigMap", ns, mapRef.name)?.data?.[mapRef.key]) problems.push(`${where}: env ${e.name}: no ConfigMap key ${mapRef.name}/${mapRef.key}`);
        if (typeof e.value === "string") checkAddress(ns, e.value, `${where} env ${e.name}`);
      }
      for (const mount of container.volumeMounts ?? []) {
        if (!volumeNames.has(mount.name)) problems.push(`${where}: mounts unknown volume ${mount.name}`);
      }
      for (const arg of [...(container.command ?? []), ...(container.args ?? [])]) {
        for (const [, name] of String(arg).matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
          if (!env.has(name)) problems.push(`${where}: ${arg}: $(${name}) is not an env variable of the container`);
        }
        const value = String(arg).includes("=") ? String(arg).slice(String(arg).indexOf("=") + 1) : String(arg);
        checkAddress(ns, value, `${where} arg`);
      }
    }
  }
  for (const { object } of docs) {
    const ns = object.metadata?.namespace;
    const who = describe(object);
    if (object.kind === "Service" && object.spec?.selector && !anyPod(ns, object.spec.selector)) problems.push(`${who}: selector matches no pod`);
    if (object.kind === "PodDisruptionBudget" && !anyPod(ns, object.spec?.selector?.matchLabels)) problems.push(`${who}: selector matches no pod`);
    if (object.kind === "HorizontalPodAutoscaler") {
      const target = object.spec.scaleTargetRef;
      if (!find(target.kind, ns, target.name)) problems.push(`${who}: no ${target.kind} ${target.name} to scale`);
    }
    if (object.kind === "NetworkPolicy") {
      const selector = object.spec?.podSelector?.matchLabels;
      if (selector && Object.keys(selector).length > 0 && !anyPod(ns, selector)) problems.push(`${who}: podSelector matches no pod`);
    }
    if (object.kind === "Ingress") {
      for (const rule of object.spec?.rules ?? []) {
        for (const path of rule.http?.paths ?? []) {
          const backend = path.backend?.service;
          const service = backend && find("Service", ns, backend.name);
          if (!service) problems.push(`${who}: no Service ${backend?.name}`);
          else if (!(service.spec.ports ?? []).some((p) => p.name === backend.port?.name || p.port === backend.port?.number)) {
            problems.push(`${who}: Service ${backend.name} has no port ${JSON.stringify(backend.port)}`);
          }
        }
      }
      for (const tls of object.spec?.tls ?? []) {
        if (!secretExists(ns, tls.secretName)) problems.push(`${who}: no Secret ${tls.secretName} for TLS`);
      }
    }
  }
  for (const problem of problems) console.log(`references: ${problem}`);
  console.log(`references: ${docs.length} objects, ${pods.length} pod templates, ${problems.length} problems`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}

const args = process.argv.slice(2);
main(args, await loadManifests(args.slice(1)));
