// No IP address is written into the deployment's sources: Dockerfiles, manifests, Ansible,
// Vagrant, docs. Addresses come from DNS, selectors, the inventory and facts.
//   node ip-scan.mjs FILE...      prints "file:line: address" per literal; exit 1 if any
import { readFileSync } from "node:fs";
import { ipLiterals } from "./lib/addresses.mjs";

let found = 0;
for (const file of process.argv.slice(2)) {
  readFileSync(file, "utf8").split("\n").forEach((line, i) => {
    for (const ip of ipLiterals(line)) {
      console.log(`ip-scan: ${file}:${i + 1}: ${ip}`);
      found++;
    }
  });
}
console.log(`ip-scan: ${process.argv.length - 2} files, ${found} IP literals`);
process.exitCode = found > 0 ? 1 : 0;
