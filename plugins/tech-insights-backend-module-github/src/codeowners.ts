/** Where GitHub looks for CODEOWNERS, in the order it looks; the first found is used. */
export const CODEOWNERS_PATHS = [
  '.github/CODEOWNERS',
  'CODEOWNERS',
  'docs/CODEOWNERS',
];

// `@user`, `@org/team` or an email address, as GitHub accepts them.
const OWNER =
  /^(@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\/[A-Za-z0-9._-]+)?|[^@\s]+@[^@\s]+\.[^@\s]+)$/;

/**
 * The problems GitHub would report in a CODEOWNERS file, one per bad line ("line 3: ..."); empty
 * when the file parses. A file without any rule that names an owner counts as a problem too,
 * since it makes nobody a code owner.
 */
export function codeownersProblems(text: string): string[] {
  const problems: string[] = [];
  let rulesWithOwners = 0;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) return;
    const [pattern, ...owners] = line.split(/\s+/);
    if (pattern.startsWith('!') || pattern.includes('[')) {
      problems.push(`line ${index + 1}: unsupported pattern ${pattern}`);
      return;
    }
    const bad = owners.filter(owner => !OWNER.test(owner));
    if (bad.length > 0) {
      problems.push(`line ${index + 1}: invalid owner ${bad.join(', ')}`);
      return;
    }
    if (owners.length > 0) rulesWithOwners++;
  });
  if (problems.length === 0 && rulesWithOwners === 0) {
    problems.push('no rule names an owner');
  }
  return problems;
}
