// What the Maven build produces and what the Java entry points accept, read from the
// repository itself (poms and sources), so that the Dockerfiles and manifests are checked
// against the code as it is, not against a copy of its names.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const text = (file) => readFileSync(file, "utf8");
const withoutComments = (xml) => xml.replace(/<!--[\s\S]*?-->/g, "");

/** The root pom's modules and the Maven version the wrapper pins (or null). */
export function reactor(root) {
  const pom = withoutComments(text(join(root, "pom.xml")));
  const modules = [...pom.matchAll(/<module>([^<]+)<\/module>/g)].map((m) => m[1].trim());
  const wrapper = join(root, ".mvn", "wrapper", "maven-wrapper.properties");
  const maven = existsSync(wrapper) ? /apache-maven-([\d.]+)-bin/.exec(text(wrapper))?.[1] ?? null : null;
  const version = /<\/modelVersion>[\s\S]*?<version>([^<]+)<\/version>/.exec(pom)?.[1];
  const groupId = /<\/modelVersion>\s*<groupId>([^<]+)<\/groupId>/.exec(pom)?.[1];
  return { modules, maven, version, groupId };
}

/**
 * A module's artifact: jar file name, the directory copy-dependencies fills (relative to
 * target/) when it runs within "package", and the project's own modules it depends on.
 */
export function moduleArtifact(root, module) {
  const pom = withoutComments(text(join(root, module, "pom.xml")));
  const own = pom.replace(/<parent>[\s\S]*?<\/parent>/, "").replace(/<dependencies>[\s\S]*<\/dependencies>/, "")
    .replace(/<build>[\s\S]*<\/build>/, "");
  const artifactId = /<artifactId>([^<]+)<\/artifactId>/.exec(own)?.[1];
  const version = /<version>([^<]+)<\/version>/.exec(own)?.[1] ?? /<parent>[\s\S]*?<version>([^<]+)<\/version>/.exec(pom)?.[1];
  const packagingPhases = ["validate", "initialize", "generate-sources", "process-sources", "generate-resources",
    "process-resources", "compile", "process-classes", "generate-test-sources", "process-test-sources",
    "generate-test-resources", "process-test-resources", "test-compile", "process-test-classes", "test",
    "prepare-package", "package"];
  let libDir = null;
  for (const plugin of pom.matchAll(/<plugin>([\s\S]*?)<\/plugin>/g)) {
    if (!plugin[1].includes("maven-dependency-plugin")) continue;
    for (const execution of plugin[1].matchAll(/<execution>([\s\S]*?)<\/execution>/g)) {
      const body = execution[1];
      const phase = /<phase>([^<]+)<\/phase>/.exec(body)?.[1];
      const out = /<outputDirectory>\$\{project\.build\.directory\}\/([^<]+)<\/outputDirectory>/.exec(body)?.[1];
      if (body.includes("<goal>copy-dependencies</goal>") && packagingPhases.includes(phase) && out) {
        libDir = out.replace(/\/$/, "");
      }
    }
  }
  const { groupId } = reactor(root);
  const dependencies = [...pom.matchAll(/<dependency>([\s\S]*?)<\/dependency>/g)]
    .map((d) => d[1])
    .filter((d) => d.includes(`<groupId>${groupId}</groupId>`))
    .map((d) => ({ artifactId: /<artifactId>([^<]+)<\/artifactId>/.exec(d)[1], test: /<scope>test<\/scope>/.test(d) }));
  // Resources a module takes from outside its own directory (core bundles ../models/default).
  const outside = [...pom.matchAll(/<resource>([\s\S]*?)<\/resource>/g)].flatMap((r) => {
    const dir = /<directory>\$\{project\.basedir\}\/\.\.\/([^<]+)<\/directory>/.exec(r[1])?.[1];
    if (!dir) return [];
    const includes = [...r[1].matchAll(/<include>([^<]+)<\/include>/g)].map((m) => `${dir}/${m[1]}`);
    return includes.length > 0 ? includes : [`${dir}/**`];
  });
  return { artifactId, version, jar: `${artifactId}-${version}.jar`, libDir, dependencies, outside };
}

/** Module directory of a project artifactId. */
export function moduleOf(root, artifactId) {
  return reactor(root).modules.find((m) => moduleArtifact(root, m).artifactId === artifactId) ?? null;
}

function javaFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? javaFiles(path) : path.endsWith(".java") ? [path] : [];
  });
}

/** The source file of a fully qualified class in a module, or null. */
export function classSource(root, module, className) {
  const file = join(root, module, "src", "main", "java", ...className.split(".")) + ".java";
  return existsSync(file) ? file : null;
}

export function hasMain(file) {
  return /public\s+static\s+void\s+main\s*\(\s*String/.test(text(file));
}

const namesIn = (annotation) => [...(/names\s*=\s*(\{[^}]*\}|"[^"]*")/.exec(annotation)?.[1] ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1]);

/**
 * The picocli command line of a class: its options and its sub-commands (name -> class file),
 * from the @Command and @Option annotations in the source.
 */
function optionsIn(source) {
  return [...source.matchAll(/@Option\s*\(([^)]*)\)/g)].flatMap((m) => {
    const names = namesIn(m[1]);
    // A negatable --x also accepts --no-x.
    return /negatable\s*=\s*true/.test(m[1]) ? [...names, ...names.map((n) => n.replace(/^--/, "--no-"))] : names;
  });
}

export function commandLine(root, module, file) {
  const source = text(file);
  const options = new Set(optionsIn(source));
  // Options of @Mixin fields belong to the command too.
  for (const [, type] of source.matchAll(/@Mixin\s+(?:(?:private|final)\s+)*(\w+)\s+\w+\s*;/g)) {
    const mixin = javaFiles(join(root, module, "src", "main", "java")).find((f) => f.endsWith(`/${type}.java`));
    if (mixin) optionsIn(text(mixin)).forEach((o) => options.add(o));
  }
  const command = /@Command\s*\(([\s\S]*?)\)\s*(?:public\s+)?(?:final\s+)?class/.exec(source)?.[1] ?? "";
  if (/mixinStandardHelpOptions\s*=\s*true/.test(command)) ["--help", "-h", "--version", "-V"].forEach((o) => options.add(o));
  const subcommands = new Map();
  const listed = /subcommands\s*=\s*\{([^}]*)\}/.exec(command)?.[1] ?? "";
  for (const [, simpleName] of listed.matchAll(/(\w+)\.class/g)) {
    const sub = javaFiles(join(root, module, "src", "main", "java")).find((f) => f.endsWith(`/${simpleName}.java`));
    const name = sub && /@Command\s*\(\s*name\s*=\s*"([^"]+)"/.exec(text(sub))?.[1];
    if (name) subcommands.set(name, sub);
  }
  return { options, subcommands, file: relative(root, file) };
}

/** The value of a String constant in the core module, e.g. ModelContract.MODEL_FILE. */
export function constant(root, file, name) {
  const source = text(join(root, file));
  return new RegExp(`${name}\\s*=\\s*"([^"]+)"`).exec(source)?.[1] ?? null;
}
