// Do the Dockerfiles build and start what the Maven build really produces, and do the
// manifests start the images the way the Java entry points accept?
//   node docker-artifacts.mjs ROOT DOCKERFILE... [-- RENDERED_MANIFEST...]
// Per Dockerfile: pinned base images (an ARG's default for FROM ${ARG}); a numeric non-root
// USER. Per module image (it copies MODULE/target/*.jar that ./mvnw built on the host): the
// module's jar (artifactId and version from its pom) and the directory its copy-dependencies
// execution fills; the entry point's class path is what was copied and its main class exists
// with a main method; the Dockerfile's own .dockerignore lets in what it copies. Per model
// Dockerfile: it copies the files the model contract names.
// Per rendered container running one of these images (deploy/docker/NAME.Dockerfile is the
// image stratus-NAME): the sub-command and every --option exist in the picocli sources.
import { existsSync, readFileSync } from "node:fs";
import { basename, join, posix } from "node:path";
import { loadManifests, podTemplate, containersOf, describe } from "./lib/manifests.mjs";
import { classSource, commandLine, constant, hasMain, moduleArtifact, reactor } from "./lib/sources.mjs";

const MODEL_CONTRACT = "core/src/main/java/dev/stratus/core/model/ModelContract.java";

/** Instructions of a Dockerfile: { op, args, flags } with continuations joined, comments dropped. */
function parseDockerfile(file) {
  const lines = readFileSync(file, "utf8").split("\n").filter((l) => !/^\s*#/.test(l));
  const joined = lines.join("\n").replace(/\\\n/g, " ");
  return joined.split("\n").map((l) => l.trim()).filter(Boolean).map((line) => {
    const [op, ...rest] = line.split(/\s+/);
    const words = rest.filter((w) => !w.startsWith("--"));
    const flags = Object.fromEntries(rest.filter((w) => w.startsWith("--")).map((w) => w.slice(2).split("=")));
    return { op: op.toUpperCase(), line, rest: line.slice(op.length).trim(), words, flags };
  });
}

function stages(instructions) {
  const result = [];
  for (const ins of instructions) {
    if (ins.op === "FROM") result.push({ image: ins.words[0], name: /\bAS\s+(\S+)/i.exec(ins.rest)?.[1] ?? null, body: [] });
    else if (result.length > 0) result[result.length - 1].body.push(ins);
  }
  return result;
}

const pinned = (image) => /@sha256:[0-9a-f]{64}$/.test(image) || /:[^/]*\d+\.\d+\.\d+[^/]*$/.test(image);

/** FROM ${ARG} resolved through the ARG's default, the base a plain build uses. */
function baseImage(parsed, from) {
  const arg = /^\$\{?(\w+)\}?$/.exec(from.image)?.[1];
  if (!arg) return from.image;
  const declared = parsed.find((i) => i.op === "ARG" && i.words[0]?.startsWith(`${arg}=`));
  return declared ? declared.words[0].slice(arg.length + 1) : from.image;
}

const numericUser = (stage) => {
  const user = stage.body.filter((i) => i.op === "USER").map((i) => i.words[0]).pop();
  return user && /^[1-9]\d*(:\d+)?$/.test(user) ? null : `must end as a numeric non-root USER, got ${user ?? "none"}`;
};

/**
 * A module's image: the jars are built on the host (./mvnw package) and copied from
 * MODULE/target: the module's jar (artifactId and version from its pom) and the directory its
 * copy-dependencies execution fills; the entry point's class path is what was copied and its main
 * class exists with a main method; the Dockerfile's .dockerignore lets exactly those in.
 */
function checkJava(root, file, parsed, problems) {
  const runtime = stages(parsed).pop();
  const copies = runtime.body.filter((i) => i.op === "COPY" && !i.flags.from);
  const jarCopy = copies.find((c) => /\/target\/[^/]+\.jar$/.test(c.words[0]));
  const module = jarCopy.words[0].split("/")[0];
  const { modules } = reactor(root);
  if (!modules.includes(module)) return problems.push(`copies the jar of module ${module}, which the root pom does not list (${modules.join(", ")})`);
  const artifact = moduleArtifact(root, module);
  const target = posix.join(module, "target");
  const libCopy = copies.find((c) => c !== jarCopy && c.words[0].startsWith(`${target}/`));
  if (jarCopy.words[0] !== posix.join(target, artifact.jar)) {
    problems.push(`must copy ${posix.join(target, artifact.jar)} (the jar of ${module}/pom.xml), copies ${jarCopy.words[0]}`);
  }
  if (!artifact.libDir) problems.push(`${module}/pom.xml has no copy-dependencies execution within "package"`);
  else if (!libCopy || libCopy.words[0].replace(/\/$/, "") !== posix.join(target, artifact.libDir)) {
    problems.push(`must copy ${posix.join(target, artifact.libDir)}/ (copy-dependencies' output), copies ${libCopy?.words[0] ?? "nothing"}`);
  }
  const user = numericUser(runtime);
  if (user) problems.push(user);
  const entry = runtime.body.filter((i) => i.op === "ENTRYPOINT").pop();
  let argv = null;
  try { argv = JSON.parse(entry?.rest ?? ""); } catch { /* reported below */ }
  if (!Array.isArray(argv)) return problems.push("ENTRYPOINT must be in exec (JSON) form");
  const cp = argv[argv.indexOf("-cp") + 1];
  const mainClass = argv.slice(argv.indexOf("-cp") + 2).find((a) => !a.startsWith("-"));
  const jarDest = jarCopy.words[1].endsWith("/") ? posix.join(jarCopy.words[1], artifact.jar) : jarCopy.words[1];
  const libDest = libCopy && `${libCopy.words[1].replace(/\/$/, "")}/*`;
  if (argv.indexOf("-cp") < 0 || cp.split(":").sort().join(":") !== [jarDest, libDest].sort().join(":")) {
    problems.push(`ENTRYPOINT class path ${cp} is not what the image copied (${jarDest}:${libDest})`);
  }
  const source = mainClass && classSource(root, module, mainClass);
  if (!source) problems.push(`main class ${mainClass} has no source in ${module}/src/main/java`);
  else if (!hasMain(source)) problems.push(`${mainClass} has no public static void main(String[])`);
  checkIgnoreFile(file, copies, problems);
  return source ? { module, main: source } : null;
}

/** The build context is the repository root: the .dockerignore must let in what COPY takes, and nothing else is needed. */
function checkIgnoreFile(file, copies, problems) {
  const ignore = `${file}.dockerignore`;
  if (!existsSync(ignore)) return problems.push(`no ${basename(ignore)} beside it (the build context is the repository)`);
  const patterns = readFileSync(ignore, "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  if (patterns[0] !== "**") problems.push(`${basename(ignore)} must start with ** (everything out, then what the image copies)`);
  const included = patterns.filter((p) => p.startsWith("!")).map((p) => p.slice(1).replace(/\/$/, ""));
  const missing = copies.flatMap((c) => c.words.slice(0, -1)).map((w) => w.replace(/\/$/, ""))
    .filter((source) => !included.some((p) => source === p || source.startsWith(`${p}/`)));
  if (missing.length > 0) problems.push(`${basename(ignore)} keeps out what the image copies: add ${missing.map((m) => `!${m}`).join(", ")}`);
}

function checkModel(root, parsed, problems) {
  const runtime = stages(parsed).pop();
  const wanted = [constant(root, MODEL_CONTRACT, "MODEL_FILE"), constant(root, MODEL_CONTRACT, "CARD_FILE")];
  const copied = runtime.body.filter((i) => i.op === "COPY").flatMap((i) => i.words.slice(0, -1));
  const missing = wanted.filter((w) => !copied.includes(w));
  if (missing.length > 0) problems.push(`a model image must hold ${wanted.join(" and ")} (${MODEL_CONTRACT}); missing ${missing.join(", ")}`);
  const user = numericUser(runtime);
  if (user) problems.push(user);
}

const imageName = (container) => posix.basename(String(container.image).split("@")[0].replace(/:[^/]*$/, ""));
const envOf = (container, name) => (container.env ?? []).find((e) => e.name === name)?.value;

/**
 * A model image's container copies the model to the directory its argument names; the pod's
 * other containers must read it there (STRATUS_MODEL) from the same volume.
 */
function checkModelDelivery(where, spec, problems) {
  const all = containersOf(spec).map((c) => c.container);
  for (const copier of all.filter((c) => imageName(c) === "stratus-model")) {
    const dest = String(copier.args?.[0] ?? "").replace(/\$\((\w+)\)/g, (_, v) => envOf(copier, v) ?? `$(${v})`);
    const readers = all.filter((c) => c !== copier && envOf(c, "STRATUS_MODEL") !== undefined);
    if (readers.length === 0) problems.push(`${where}: copies a model to ${dest}, but no container sets STRATUS_MODEL`);
    for (const reader of readers) {
      const path = envOf(reader, "STRATUS_MODEL");
      const volumeAt = (c) => (c.volumeMounts ?? []).find((m) => dest.startsWith(`${m.mountPath.replace(/\/$/, "")}/`))?.name;
      if (path !== dest) problems.push(`${where}: the model is copied to ${dest} but ${reader.name} reads STRATUS_MODEL=${path}`);
      else if (!volumeAt(copier) || volumeAt(copier) !== volumeAt(reader)) problems.push(`${where}: ${copier.name} and ${reader.name} do not share the volume holding ${dest}`);
    }
  }
}

/** Rendered containers running image stratus-NAME: sub-command and options must exist. */
function checkManifests(root, images, docs, problems) {
  let checked = 0;
  for (const { object } of docs) {
    const pod = podTemplate(object);
    if (!pod) continue;
    checkModelDelivery(describe(object), pod.template.spec, problems);
    for (const { container } of containersOf(pod.template.spec)) {
      const name = imageName(container);
      const image = images.get(name);
      if (!image) continue;
      checked++;
      const where = `${describe(object)} container ${container.name} (${name})`;
      let line = commandLine(root, image.module, image.main);
      const args = [...(container.args ?? [])];
      if (container.command) problems.push(`${where}: sets command, replacing the image's entry point`);
      if (line.subcommands.size > 0) {
        const sub = args.shift();
        if (!line.subcommands.has(sub)) {
          problems.push(`${where}: sub-command ${sub} is not one of ${[...line.subcommands.keys()].join(", ")} (${line.file})`);
          continue;
        }
        line = commandLine(root, image.module, line.subcommands.get(sub));
      }
      for (const arg of args.filter((a) => a.startsWith("-"))) {
        const option = arg.split("=")[0];
        if (!line.options.has(option)) problems.push(`${where}: ${option} is not an option of ${line.file}`);
      }
    }
  }
  return checked;
}

const argv = process.argv.slice(2);
const split = argv.indexOf("--");
const [root, ...dockerfiles] = split >= 0 ? argv.slice(0, split) : argv;
const manifests = split >= 0 ? argv.slice(split + 1) : [];
let failed = 0;
const images = new Map();
for (const file of dockerfiles) {
  const problems = [];
  const parsed = parseDockerfile(file);
  for (const from of stages(parsed)) {
    const base = baseImage(parsed, from);
    if (from.image !== "scratch" && !pinned(base)) problems.push(`base image ${base} is not pinned to a full version or a digest`);
  }
  const runtime = stages(parsed).pop();
  const copies = runtime.body.filter((i) => i.op === "COPY" && !i.flags.from);
  if (copies.some((c) => /\/target\/[^/]+\.jar$/.test(c.words[0]))) {
    const found = checkJava(root, file, parsed, problems);
    if (found) images.set(`stratus-${basename(file, ".Dockerfile")}`, found);
  } else if (basename(file) === "model.Dockerfile") {
    checkModel(root, parsed, problems);
  } else {
    // Any other image (Kafka, the CouchDB-API stand-in): a non-root user and an ignore file that lets its COPY in.
    const user = numericUser(runtime);
    if (user) problems.push(user);
    checkIgnoreFile(file, copies, problems);
  }
  problems.forEach((p) => console.log(`docker: ${file}: ${p}`));
  failed += problems.length;
}
const manifestProblems = [];
const containersChecked = checkManifests(root, images, manifests.length > 0 ? await loadManifests(manifests) : [], manifestProblems);
manifestProblems.forEach((p) => console.log(`docker: ${p}`));
failed += manifestProblems.length;
console.log(`docker: ${dockerfiles.length} Dockerfiles, ${containersChecked} containers of their images in ${manifests.length} rendered files, ${failed} problems`);
process.exitCode = failed > 0 ? 1 : 0;
