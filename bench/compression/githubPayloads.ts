/**
 * GitHub webhook payloads shaped like GitHub's (compact JSON, as GitHub sends it): `push`, growing by its commits
 * (GitHub includes up to 2048, so a 1 MB push is real), and `pull_request` (`opened`), growing by the description
 * and its commits' worth of review text (GitHub caps a description at 65 536 characters: above ~70 KB the shape
 * is a stress case). `units` first adds the user objects (sender, authors), then the repository's details and
 * links, then the repeated parts: below ~8 KB the shapes are trimmed (real ones carry the full repository).
 */
import { randomInt } from "../../local/seededRandom.ts";
import type { PayloadKind } from "./payloadSize.ts";
import { base62, digits, filePath, hex, isoTime, person, type Random, sentence, words } from "./payloadText.ts";

const API = "https://api.github.com";

function user(random: Random, login: string) {
  const id = digits(random, 8);
  return {
    login,
    id,
    node_id: `MDQ6VXNlcj${base62(random, 10)}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: "",
    url: `${API}/users/${login}`,
    html_url: `https://github.com/${login}`,
    followers_url: `${API}/users/${login}/followers`,
    following_url: `${API}/users/${login}/following{/other_user}`,
    gists_url: `${API}/users/${login}/gists{/gist_id}`,
    starred_url: `${API}/users/${login}/starred{/owner}{/repo}`,
    subscriptions_url: `${API}/users/${login}/subscriptions`,
    organizations_url: `${API}/users/${login}/orgs`,
    repos_url: `${API}/users/${login}/repos`,
    events_url: `${API}/users/${login}/events{/privacy}`,
    received_events_url: `${API}/users/${login}/received_events`,
    type: "User",
    user_view_type: "public",
    site_admin: false,
  };
}

const REPO_LINKS = [
  "forks",
  "keys{/key_id}",
  "collaborators{/collaborator}",
  "teams",
  "hooks",
  "issues/events{/number}",
  "events",
  "assignees{/user}",
  "branches{/branch}",
  "tags",
  "git/blobs{/sha}",
  "git/tags{/sha}",
  "git/refs{/sha}",
  "git/trees{/sha}",
  "statuses/{sha}",
  "languages",
  "stargazers",
  "contributors",
  "subscribers",
  "subscription",
  "commits{/sha}",
  "git/commits{/sha}",
  "comments{/number}",
  "issues/comments{/number}",
  "contents/{+path}",
  "compare/{base}...{head}",
  "merges",
  "{archive_format}{/ref}",
  "downloads",
  "issues{/number}",
  "pulls{/number}",
  "milestones{/number}",
  "notifications{?since,all,participating}",
  "labels{/name}",
  "releases{/id}",
  "deployments",
];

/** How much of a repository object a payload carries: 0 the ids and name, 1 the details, 2 also its 36 API links. */
type RepositoryDetail = 0 | 1 | 2;

function repository(random: Random, owner: string, name: string, detail: RepositoryDetail) {
  const fullName = `${owner}/${name}`;
  const core = {
    id: digits(random, 9),
    node_id: `R_kgDO${base62(random, 8)}`,
    name,
    full_name: fullName,
    private: true,
  };
  if (detail === 0) return core;
  const links = Object.fromEntries(
    REPO_LINKS.map((link) => [`${link.split(/[/{]/)[0] || "archive"}_url`, `${API}/repos/${fullName}/${link}`]),
  );
  return {
    ...core,
    owner: user(random, owner),
    html_url: `https://github.com/${fullName}`,
    description: sentence(random, 4, 10),
    fork: false,
    url: `${API}/repos/${fullName}`,
    ...(detail === 2 ? links : {}),
    created_at: isoTime(-9e7),
    updated_at: isoTime(-3600),
    pushed_at: isoTime(0),
    git_url: `git://github.com/${fullName}.git`,
    ssh_url: `git@github.com:${fullName}.git`,
    clone_url: `https://github.com/${fullName}.git`,
    svn_url: `https://github.com/${fullName}`,
    homepage: null,
    size: randomInt(random, 100, 90_000),
    stargazers_count: 0,
    watchers_count: 0,
    language: "TypeScript",
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: randomInt(random, 0, 40),
    license: null,
    allow_forking: false,
    is_template: false,
    topics: [],
    visibility: "private",
    default_branch: "main",
  };
}

/** The detail level reached after `units` (1 → details, 2 → links), `from` being where the repository starts. */
function detailAt(units: number, from: number): RepositoryDetail {
  return Math.max(0, Math.min(2, units - from + 1)) as RepositoryDetail;
}

function commit(random: Random, fullName: string, index: number) {
  const id = hex(random, 40);
  const author = person(random);
  const identity = { name: author.name, email: author.email, username: author.login };
  const files = () => Array.from({ length: randomInt(random, 0, 3) }, () => filePath(random));
  return {
    id,
    tree_id: hex(random, 40),
    distinct: true,
    message: `${sentence(random, 3, 9)}\n\n${sentence(random, 8, 30)}`,
    timestamp: isoTime(index * 97, "+01:00"),
    url: `https://github.com/${fullName}/commit/${id}`,
    author: identity,
    committer: identity,
    added: files(),
    removed: files(),
    modified: files(),
  };
}

function withoutLinks(repo: Record<string, unknown>): Record<string, unknown> {
  const links = new Set(REPO_LINKS.map((link) => `${link.split(/[/{]/)[0] || "archive"}_url`));
  return Object.fromEntries(Object.entries(repo).filter(([key]) => !links.has(key)));
}

/** The event's `organization` and `sender` (the user who caused it). */
function actors(random: Random, login: string) {
  return { organization: { login: "example-org", id: digits(random, 8) }, sender: user(random, login) };
}

/** What both events start from: who acted, whether user objects are in yet (units ≥ 1), and the repository. */
function eventStart(random: Random, units: number) {
  const actor = person(random);
  return {
    actor,
    withUsers: units >= 1,
    repo: repository(random, "example-org", "payments-service", detailAt(units, 2)),
  };
}

/** `push`: a branch update, growing by its commits. */
export const githubPush: PayloadKind = {
  name: "github push",
  pretty: false,
  build(random, units) {
    const { actor: pusher, withUsers, repo } = eventStart(random, units);
    const commits = Array.from({ length: Math.max(0, units - 3) }, (_, index) => commit(random, repo.full_name, index));
    const [before, after] = [hex(random, 40), commits.at(-1)?.id ?? hex(random, 40)];
    return {
      ref: "refs/heads/main",
      before,
      after,
      repository: repo,
      pusher: { name: pusher.login, email: pusher.email },
      ...(withUsers ? actors(random, pusher.login) : {}),
      created: false,
      deleted: false,
      forced: false,
      base_ref: null,
      compare: `https://github.com/${repo.full_name}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
      commits,
      head_commit: commits.at(-1) ?? null,
    };
  },
};

/** `pull_request` `opened`: growing by the description (a Markdown checklist and prose). */
export const githubPullRequest: PayloadKind = {
  name: "github pull_request",
  pretty: false,
  build(random, units) {
    const { actor: author, withUsers, repo } = eventStart(random, units);
    // The repository appears three times (the event's, the head's, the base's); the branches' get links last.
    const branchRepo = detailAt(units, 3) === 2 || !("owner" in repo) ? repo : withoutLinks(repo);
    const number = randomInt(random, 1, 4000);
    const pullUrl = `${API}/repos/${repo.full_name}/pulls/${number}`;
    const paragraphs = Array.from({ length: Math.max(0, units - 4) }, (_, index) =>
      index % 3 === 0 ? `- [x] ${sentence(random, 4, 12)} (${filePath(random)})` : sentence(random, 12, 40),
    );
    const branch = (ref: string) => ({
      label: `example-org:${ref}`,
      ref,
      sha: hex(random, 40),
      user: withUsers ? user(random, "example-org") : { login: "example-org" },
      repo: branchRepo,
    });
    return {
      action: "opened",
      number,
      pull_request: {
        url: pullUrl,
        id: digits(random, 10),
        node_id: `PR_kwDO${base62(random, 14)}`,
        html_url: `https://github.com/${repo.full_name}/pull/${number}`,
        diff_url: `https://github.com/${repo.full_name}/pull/${number}.diff`,
        number,
        state: "open",
        locked: false,
        title: sentence(random, 4, 10),
        user: withUsers ? user(random, author.login) : { login: author.login },
        body: paragraphs.length === 0 ? null : `## ${words(random, 3)}\n\n${paragraphs.join("\n\n")}`,
        created_at: isoTime(0),
        updated_at: isoTime(0),
        closed_at: null,
        merged_at: null,
        merge_commit_sha: null,
        draft: false,
        commits_url: `${pullUrl}/commits`,
        head: branch(`feature/${words(random, 2).replace(" ", "-")}`),
        base: branch("main"),
        author_association: "MEMBER",
        merged: false,
        mergeable: null,
        commits: randomInt(random, 1, 20),
        additions: randomInt(random, 1, 900),
        deletions: randomInt(random, 0, 400),
        changed_files: randomInt(random, 1, 30),
      },
      repository: repo,
      ...(withUsers ? actors(random, author.login) : {}),
    };
  },
};
