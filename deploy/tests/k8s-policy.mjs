// Stratus' deployment policy over rendered manifests: what the original project got wrong
// (docs: ../shared/docs/ORIGINAL.md, "What went wrong") must not come back.
//   node k8s-policy.mjs FILE...
// Prints "policy: [rule] object: problem" per violation; exit status 1 when there is any.
// Rules: probes, probe-exemption, resources, security, secret-literal, exposed-service,
// kafka-listener-open, ip-literal, image-pinned, default-deny, persistent-storage, hpa-replicas.
import { ipLiterals } from "./lib/addresses.mjs";
import { containersOf, describe, loadManifests, podTemplate, walkStrings } from "./lib/manifests.mjs";

export const EXEMPTION = "stratus.dev/probe-exemption";
const MIN_REASON = 40;
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|JAAS)/i;
const EXPOSED_TYPES = new Set(["NodePort", "LoadBalancer"]);
const INTERNAL_LISTENERS = new Set(["internal", "cluster-ip"]);

function containerRules(report, object, pod) {
  const spec = pod.template.spec ?? {};
  const podSec = spec.securityContext ?? {};
  const annotations = pod.template.metadata?.annotations ?? {};
  const reason = annotations[EXEMPTION];
  const who = describe(object);
  const exemptionValid = typeof reason === "string" && reason.trim().length >= MIN_REASON;
  if (reason !== undefined) {
    if (!pod.longRunning) report("probe-exemption", who, "only long-running workloads need probes, so none may claim an exemption");
    if (!exemptionValid) report("probe-exemption", who, `${EXEMPTION} must give the reason in at least ${MIN_REASON} characters`);
  }
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) report("security", who, "hostNetwork, hostPID and hostIPC must be off");
  if (spec.automountServiceAccountToken !== false) report("security", who, "automountServiceAccountToken must be false (no pod here calls the Kubernetes API)");
  for (const volume of spec.volumes ?? []) {
    if (volume.hostPath) report("security", who, `volume ${volume.name} is a hostPath`);
  }
  for (const { container, role } of containersOf(spec)) {
    const where = `${who} ${role} ${container.name}`;
    const sec = container.securityContext ?? {};
    if (pod.longRunning && role === "container") {
      const missing = ["readinessProbe", "livenessProbe"].filter((p) => !container[p]);
      if (missing.length > 0) {
        if (!exemptionValid) report("probes", where, `no ${missing.join(" and no ")}`);
        else if ((container.ports ?? []).length > 0) {
          report("probe-exemption", where, "declares ports, so it can be probed: the exemption covers only containers that serve nothing");
        }
      }
    }
    const res = container.resources ?? {};
    const absent = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]
      .filter((p) => { const [a, b] = p.split("."); return res[a]?.[b] === undefined; });
    if (absent.length > 0) report("resources", where, `no ${absent.join(", ")}`);
    const runAsNonRoot = sec.runAsNonRoot ?? podSec.runAsNonRoot;
    const runAsUser = sec.runAsUser ?? podSec.runAsUser;
    if (runAsNonRoot !== true) report("security", where, "runAsNonRoot must be true");
    if (runAsUser === 0) report("security", where, "runs as user 0");
    if (sec.readOnlyRootFilesystem !== true) report("security", where, "readOnlyRootFilesystem must be true (emptyDir for what it writes)");
    if (sec.allowPrivilegeEscalation !== false) report("security", where, "allowPrivilegeEscalation must be false");
    if (sec.privileged === true) report("security", where, "privileged");
    if (!(sec.capabilities?.drop ?? []).includes("ALL")) report("security", where, "capabilities must drop ALL");
    if ((sec.capabilities?.add ?? []).length > 0) report("security", where, `adds capabilities ${sec.capabilities.add.join(", ")}`);
    const seccomp = (sec.seccompProfile ?? podSec.seccompProfile)?.type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") report("security", where, "seccompProfile must be RuntimeDefault");
    checkImage(report, where, container.image);
    for (const e of container.env ?? []) {
      if (SECRET_NAME.test(e.name) && typeof e.value === "string" && e.value !== "") {
        report("secret-literal", where, `env ${e.name} holds a literal value; use a secretKeyRef`);
      }
    }
  }
}

function checkImage(report, where, image) {
  const name = String(image ?? "");
  const lastPart = name.slice(name.lastIndexOf("/") + 1);
  if (name.includes("@sha256:")) return;
  if (!lastPart.includes(":")) report("image-pinned", where, `image ${name} has no tag`);
  else if (lastPart.endsWith(":latest")) report("image-pinned", where, `image ${name} uses :latest`);
}

// Strimzi custom resources: the pods are the operator's, their settings are here.
function strimziRules(report, object) {
  const who = describe(object);
  if (object.kind === "Kafka") {
    for (const listener of object.spec?.kafka?.listeners ?? []) {
      if (!INTERNAL_LISTENERS.has(listener.type)) report("exposed-service", who, `listener ${listener.name} is of type ${listener.type}: Kafka stays inside the cluster`);
      if (!(listener.networkPolicyPeers ?? []).length) report("kafka-listener-open", who, `listener ${listener.name} has no networkPolicyPeers: every pod could reach it`);
      if (!listener.authentication) report("kafka-listener-open", who, `listener ${listener.name} has no authentication`);
    }
    if (object.spec?.kafka?.storage?.type === "ephemeral") report("persistent-storage", who, "ephemeral storage");
    for (const [name, part] of Object.entries(object.spec?.entityOperator ?? {})) {
      if (name.endsWith("Operator") && !(part?.resources?.requests && part?.resources?.limits)) report("resources", who, `entityOperator.${name} has no resource requests and limits`);
    }
  }
  if (object.kind === "KafkaNodePool") {
    const res = object.spec?.resources;
    if (!(res?.requests?.cpu && res?.requests?.memory && res?.limits?.cpu && res?.limits?.memory)) report("resources", who, "no resource requests and limits");
    const storage = object.spec?.storage ?? {};
    const volumes = storage.type === "jbod" ? storage.volumes ?? [] : [storage];
    if (volumes.length === 0 || volumes.some((v) => v.type !== "persistent-claim")) report("persistent-storage", who, "Kafka data must be on persistent-claim volumes");
  }
}

function objectRules(report, object, all) {
  const who = describe(object);
  if (object.kind === "Secret" && (Object.keys(object.data ?? {}).length > 0 || Object.keys(object.stringData ?? {}).length > 0)) {
    report("secret-literal", who, "carries data in the manifests; create it at deploy time (deploy/k8s/deploy-time-secrets.txt)");
  }
  if (object.kind === "Service") {
    if (EXPOSED_TYPES.has(object.spec?.type)) report("exposed-service", who, `type ${object.spec.type}: only the Ingress exposes Stratus`);
    if ((object.spec?.externalIPs ?? []).length > 0) report("exposed-service", who, "externalIPs");
    if ((object.spec?.ports ?? []).some((p) => p.nodePort !== undefined)) report("exposed-service", who, "sets a nodePort");
  }
  if (object.kind === "Ingress") {
    for (const rule of object.spec?.rules ?? []) {
      for (const path of rule.http?.paths ?? []) {
        const service = path.backend?.service?.name ?? "";
        if (/kafka|couch/i.test(service)) report("exposed-service", who, `routes to ${service}: Kafka and CouchDB stay inside the cluster`);
      }
    }
  }
  if (object.kind === "StatefulSet" && !(object.spec?.volumeClaimTemplates ?? []).length) {
    report("persistent-storage", who, "a StatefulSet without volumeClaimTemplates keeps its state in the pod");
  }
  if (object.kind === "HorizontalPodAutoscaler") {
    const target = object.spec?.scaleTargetRef ?? {};
    const scaled = all.find((o) => o.kind === target.kind && o.metadata?.name === target.name
      && o.metadata?.namespace === object.metadata?.namespace);
    if (scaled?.spec?.replicas !== undefined) {
      report("hpa-replicas", describe(scaled), `sets replicas while ${who} scales it: every apply would undo the autoscaler; use minReplicas`);
    }
  }
  walkStrings(object, (text, path) => {
    for (const ip of ipLiterals(text)) report("ip-literal", who, `${path}: ${ip} in ${JSON.stringify(text)}`);
  });
}

function defaultDeny(report, objects) {
  const namespaces = new Set(objects.filter((o) => podTemplate(o)).map((o) => o.metadata?.namespace ?? "(none)"));
  for (const ns of namespaces) {
    const denied = objects.some((o) => o.kind === "NetworkPolicy" && (o.metadata?.namespace ?? "(none)") === ns
      && Object.keys(o.spec?.podSelector ?? {}).every((k) => Object.keys(o.spec.podSelector[k] ?? {}).length === 0)
      && ["Ingress", "Egress"].every((t) => (o.spec?.policyTypes ?? []).includes(t))
      && !(o.spec?.ingress ?? []).length && !(o.spec?.egress ?? []).length);
    if (!denied) report("default-deny", `namespace ${ns}`, "no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)");
  }
}

export function check(objects) {
  const violations = [];
  const report = (rule, who, problem) => violations.push({ rule, who, problem });
  for (const object of objects) {
    const pod = podTemplate(object);
    if (pod) containerRules(report, object, pod);
    strimziRules(report, object);
    objectRules(report, object, objects);
  }
  defaultDeny(report, objects);
  return violations;
}

const docs = await loadManifests(process.argv.slice(2));
const violations = check(docs.map((d) => d.object));
for (const v of violations) console.log(`policy: [${v.rule}] ${v.who}: ${v.problem}`);
console.log(`policy: ${docs.length} objects, ${violations.length} violations`);
process.exitCode = violations.length > 0 ? 1 : 0;
