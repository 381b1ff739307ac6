// IP address literals, shared by the manifest policy and the source scan. The unspecified
// addresses alone (0.0.0.0, ::) are bind-all addresses that name no host and are allowed;
// as CIDRs (0.0.0.0/0) they open everything and are not.
const IPV4 = /(?<![\d.])(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(?![\d.]*\d)(\/\d{1,2})?/g;
const IPV6 = /(?<![\w:])(([0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|([0-9a-f]{1,4}:){0,6}[0-9a-f]{0,4}::([0-9a-f]{1,4}:){0,6}[0-9a-f]{0,4})(\/\d{1,3})?(?![\w:])/gi;

/** The IP literals in a text, bind-all addresses left out. */
export function ipLiterals(text) {
  return [
    ...[...text.matchAll(IPV4)].map((m) => m[0]).filter((ip) => ip !== "0.0.0.0"),
    ...[...text.matchAll(IPV6)].map((m) => m[0]).filter((ip) => ip !== "::" && /[0-9a-f]/i.test(ip)),
  ];
}
