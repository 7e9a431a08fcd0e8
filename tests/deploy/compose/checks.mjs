// Static checks of the Docker Compose deployment, run by check.sh (which installs the tools this
// imports into .tools/deploy-check and passes that folder as DEPLOY_CHECK_TOOLS).
//
//   node checks.mjs ROOT [--sql-out DIR]
//
// Prints one "PASS name" or "FAIL name: why" line per check and exits with the number of failures.
// With --sql-out, writes the job drill-down's SQL queries there (one file each) for check.sh to run
// against a real PostgreSQL.

import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(process.argv[2] ?? '.');
const sqlOut = process.argv.includes('--sql-out') ? process.argv[process.argv.indexOf('--sql-out') + 1] : null;
const require = createRequire(path.join(process.env.DEPLOY_CHECK_TOOLS ?? '.', 'package.json'));
const YAML = require('yaml');
const { DockerfileParser } = require('dockerfile-ast');
const dockerfileUtils = require('dockerfile-utils');

let failures = 0;
let passes = 0;
function check(name, problems) {
  if (problems.length === 0) {
    passes++;
    console.log(`PASS ${name}`);
  } else {
    failures++;
    console.log(`FAIL ${name}`);
    for (const p of problems) console.log(`     - ${p}`);
  }
}
const rel = (p) => path.relative(root, p) || '.';
const exists = (p) => fs.existsSync(p);
const read = (p) => fs.readFileSync(p, 'utf8');
function walk(dir, keep) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, keep));
    else if (keep(p)) out.push(p);
  }
  return out.sort();
}

// What the services export (tests/deploy/exported-metrics.json, which the chart's alerts are held to too) and
// how a query's names are read: tests/deploy/exported-metrics.mjs and promql.mjs.
const { KNOWN_METRICS, KNOWN_LABELS, queriedNames } = await import(new URL('../exported-metrics.mjs', import.meta.url));

// ---------------------------------------------------------------------------------------------
// 1. Every YAML file parses (strictly: duplicate keys and bad anchors are errors).
const yamlFiles = [
  path.join(root, 'docker-compose.yml'),
  ...walk(path.join(root, 'deploy'), (p) => /\.ya?ml$/.test(p)),
];
const yamlDocs = new Map();
for (const file of yamlFiles) {
  const problems = [];
  if (!exists(file)) problems.push('missing');
  else {
    const docs = YAML.parseAllDocuments(read(file), { merge: true, uniqueKeys: true, prettyErrors: true });
    for (const d of docs) for (const err of [...d.errors, ...d.warnings]) problems.push(err.message.split('\n')[0]);
    if (problems.length === 0) yamlDocs.set(file, docs.map((d) => d.toJS({ maxAliasCount: 1000 })));
  }
  check(`yaml parses: ${rel(file)}`, problems);
}
const loadYaml = (file) => yamlDocs.get(file)?.[0] ?? null;

// ---------------------------------------------------------------------------------------------
// 2. docker-compose.yml: everything it builds from or mounts exists; dependencies make sense.
const composeFile = path.join(root, 'docker-compose.yml');
const compose = loadYaml(composeFile) ?? { services: {} };
const services = compose.services ?? {};
const serviceNames = new Set(Object.keys(services));
{
  const problems = [];
  const declaredVolumes = new Set(Object.keys(compose.volumes ?? {}));
  for (const [name, s] of Object.entries(services)) {
    if (s.build) {
      const b = typeof s.build === 'string' ? { context: s.build } : s.build;
      const context = path.resolve(root, b.context ?? '.');
      if (!exists(context)) problems.push(`${name}: build context ${b.context} does not exist`);
      const dockerfile = path.resolve(context, b.dockerfile ?? 'Dockerfile');
      if (!exists(dockerfile)) problems.push(`${name}: Dockerfile ${rel(dockerfile)} does not exist`);
    }
    for (const v of s.volumes ?? []) {
      const source = typeof v === 'string' ? v.split(':')[0] : v.source;
      const type = typeof v === 'string' ? (/^[./~]/.test(source) ? 'bind' : 'volume') : v.type;
      if (type === 'bind') {
        if (!exists(path.resolve(root, source))) problems.push(`${name}: mounts ${source}, which does not exist`);
      } else if (type === 'volume' && source && !declaredVolumes.has(source)) {
        problems.push(`${name}: named volume ${source} is not declared under volumes:`);
      }
    }
  }
  check('compose: build contexts, Dockerfiles and mounted files exist', problems);
}
{
  const problems = [];
  for (const [name, s] of Object.entries(services)) {
    const deps = Array.isArray(s.depends_on) ? Object.fromEntries(s.depends_on.map((d) => [d, {}])) : (s.depends_on ?? {});
    for (const [dep, spec] of Object.entries(deps)) {
      const target = services[dep];
      if (!target) { problems.push(`${name} depends on ${dep}, which is not a service`); continue; }
      const condition = spec?.condition ?? 'service_started';
      if (condition === 'service_healthy' && (!target.healthcheck || target.healthcheck.disable))
        problems.push(`${name} waits for ${dep} to be healthy, but ${dep} has no healthcheck here`);
      if (condition === 'service_completed_successfully' && !['no', undefined].includes(target.restart))
        problems.push(`${name} waits for ${dep} to complete, but ${dep} restarts (${target.restart})`);
      if (!s.profiles && target.profiles)
        problems.push(`${name} (always started) depends on ${dep}, which only starts with profile ${target.profiles}`);
    }
  }
  check('compose: depends_on targets exist, have healthchecks where waited for, share profiles', problems);
}
const farmServices = Object.entries(services).filter(([, s]) => String(s.build?.dockerfile ?? '').startsWith('deploy/docker/'));
const otelServiceNames = new Set(farmServices.map(([, s]) => s.environment?.OTEL_SERVICE_NAME).filter(Boolean));
{
  const problems = [];
  const required = ['Farm__Transport', 'Farm__RabbitMqUrl', 'Farm__Database', 'Farm__DatabaseConnection', 'Farm__Storage',
    'Farm__S3ServiceUrl', 'Farm__S3Bucket', 'Farm__S3AccessKey', 'Farm__S3SecretKey', 'Farm__ModelsDirectory',
    'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME'];
  for (const [name, s] of farmServices) {
    const env = s.environment ?? {};
    for (const key of required) if (!(key in env)) problems.push(`${name}: ${key} is not set`);
    const otlpHost = /^https?:\/\/([^:/]+)/.exec(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '')?.[1];
    if (otlpHost && !serviceNames.has(otlpHost)) problems.push(`${name}: OTLP endpoint host ${otlpHost} is not a service`);
    for (const key of ['Farm__S3ServiceUrl', 'Farm__RabbitMqUrl']) {
      const host = /^\w+:\/\/(?:[^@/]*@)?([^:/]+)/.exec(env[key] ?? '')?.[1];
      if (host && !serviceNames.has(host)) problems.push(`${name}: ${key} host ${host} is not a service`);
    }
    const role = (s.command ?? []).join(' ').match(/--role (\w+)/)?.[1];
    if (s.command && !role) problems.push(`${name}: command has no --role`);
    if (role && !s.healthcheck) problems.push(`${name}: a farm role without a healthcheck`);
  }
  if (!farmServices.some(([, s]) => s.environment?.OTEL_SERVICE_NAME === 'upscalefarm-api')) problems.push('no service is upscalefarm-api');
  check('compose: every farm service has the Farm__* and OTEL_* settings, pointing at compose services', problems);
}
{
  // The default profile (a plain `docker compose up`) must start on any Docker host: no service in it
  // reserves a GPU, and a CPU worker is in it. GPU workers are under profiles, one service per GPU, each
  // reserving its own device id (a `count` reservation gives every replica of a service the same GPU).
  const problems = [];
  const gpuDevices = (s) => (s.deploy?.resources?.reservations?.devices ?? []).filter((d) => d.driver === 'nvidia' || (d.capabilities ?? []).includes('gpu'));
  const gpuEnv = (s) => Object.keys(s.environment ?? {}).filter((k) => k === 'NVIDIA_VISIBLE_DEVICES');
  for (const [name, s] of Object.entries(services)) {
    if (s.profiles?.length) continue;
    if (gpuDevices(s).length) problems.push(`${name}: in the default profile but reserves a GPU`);
    if (s.runtime === 'nvidia' || gpuEnv(s).length) problems.push(`${name}: in the default profile but asks for the NVIDIA runtime`);
    if (s.gpus) problems.push(`${name}: in the default profile but has gpus:`);
  }
  const workers = Object.entries(services).filter(([, s]) => (s.command ?? []).join(' ') === 'serve --role worker');
  const cpuDefault = workers.filter(([, s]) => !s.profiles?.length && s.environment?.Farm__Worker__Device === 'cpu');
  if (cpuDefault.length !== 1) problems.push(`the default profile has ${cpuDefault.length} CPU workers, not 1`);
  const gpuWorkers = workers.filter(([, s]) => gpuDevices(s).length);
  if (!gpuWorkers.some(([, s]) => (s.profiles ?? []).includes('gpu'))) problems.push('no GPU worker under profile gpu');
  const ids = new Map();
  for (const [name, s] of gpuWorkers) {
    if (s.environment?.Farm__Worker__Device !== 'cuda') problems.push(`${name}: reserves a GPU but Farm__Worker__Device is not cuda`);
    if (!s.profiles?.length) problems.push(`${name}: a GPU worker without a profile`);
    for (const d of gpuDevices(s)) {
      if (d.count !== undefined) problems.push(`${name}: reserves GPUs by count, so all its replicas share one GPU; give device_ids`);
      if (!(d.capabilities ?? []).includes('gpu')) problems.push(`${name}: GPU reservation without capabilities [gpu]`);
      if (!Array.isArray(d.device_ids) || d.device_ids.length !== 1) problems.push(`${name}: device_ids is not one id`);
      for (const id of d.device_ids ?? []) {
        if (ids.has(String(id))) problems.push(`${name} and ${ids.get(String(id))} both reserve GPU ${id}`);
        ids.set(String(id), name);
      }
    }
    if (s.deploy?.replicas > 1) problems.push(`${name}: more than one replica of a GPU worker would share its GPU`);
  }
  check('compose: the default profile reserves no GPU and has one CPU worker; GPU workers one per GPU id, under profiles', problems);
}
{
  // `docker compose up --wait` fails when a one-shot service exits, even with 0, unless a long-running service
  // in the same profile depends on it with service_completed_successfully (docker/compose#10596). Every
  // one-shot (restart "no" or on-failure) must be adopted that way, in every profile it starts in.
  const problems = [];
  const oneShot = (s) => ['no', 'on-failure'].includes(String(s.restart ?? 'no').split(':')[0]);
  const adopters = (name) => Object.entries(services).filter(([, s]) => !oneShot(s)
    && s.depends_on?.[name]?.condition === 'service_completed_successfully');
  const profilesOf = (s) => s.profiles?.length ? s.profiles : [null];
  for (const [name, s] of Object.entries(services).filter(([, s]) => oneShot(s))) {
    const by = adopters(name);
    for (const profile of profilesOf(s))
      if (!by.some(([, a]) => !a.profiles?.length || profile !== null && a.profiles.includes(profile)))
        problems.push(`${name} is a one-shot that no long-running service${profile ? ` of profile ${profile}` : ''} waits for with service_completed_successfully: \`up --wait\` would fail when it exits`);
  }
  if (!Object.values(services).some(oneShot)) problems.push('no one-shot service found: the check is broken');
  check('compose: every one-shot is awaited by a long-running service, so `up --wait` succeeds', problems);
}
{
  // Every secret comes from .env: each ${VAR} in docker-compose.yml is ${VAR:?message} (compose refuses
  // to start without it, no default), .env.example lists exactly those variables, and the API's key
  // hashes and webhook secret are such variables rather than literals.
  const problems = [];
  const text = read(composeFile);
  const used = new Set();
  for (const m of text.matchAll(/\$\{([A-Za-z_]\w*)([^}]*)\}/g)) {
    used.add(m[1]);
    if (!/^:\?\s*\S/.test(m[2])) problems.push(`\${${m[1]}${m[2]}} is not \${${m[1]}:?message}: compose would start without it`);
  }
  const examplePath = path.join(root, '.env.example');
  const example = exists(examplePath)
    ? new Set(read(examplePath).split('\n').map((l) => /^([A-Za-z_]\w*)=/.exec(l)?.[1]).filter(Boolean)) : null;
  if (!example) problems.push('.env.example does not exist');
  else {
    for (const v of used) if (!example.has(v)) problems.push(`${v} is required by docker-compose.yml but not in .env.example`);
    for (const v of example) if (!used.has(v)) problems.push(`.env.example lists ${v}, which docker-compose.yml does not use`);
    for (const l of read(examplePath).split('\n')) if (/^[A-Za-z_]\w*=\S/.test(l)) problems.push(`.env.example ships a value (${l.split('=')[0]}): leave it empty, so that compose refuses to start until it is set`);
  }
  const env = services.api?.environment ?? {};
  for (const key of ['Api__Tenants__0__KeySha256', 'Api__AdminKeySha256', 'Api__Tenants__0__WebhookSecret'])
    if (!/^\$\{\w+:\?/.test(String(env[key] ?? ''))) problems.push(`api: ${key} is ${env[key] === undefined ? 'not set' : 'a literal'}, not a required .env variable`);
  if (/upscalefarm-(demo|admin)-key/.test(text)) problems.push('the old demo keys are still mentioned');
  check('compose: every secret is a required .env variable, and .env.example lists exactly those, empty', problems);
}
{
  // Each role gets only the credentials it needs: the superusers' and root keys stay with their
  // services and the one-shots that need them; the farm's PostgreSQL role, RabbitMQ user and S3 keys
  // are not those; the API's S3 key is its own.
  const problems = [];
  const envText = (s) => JSON.stringify(s.environment ?? {});
  const rootSecrets = { POSTGRES_SUPERUSER_PASSWORD: ['postgres', 'postgres-grants'], RABBITMQ_ADMIN_PASSWORD: ['rabbitmq', 'rabbitmq-init'],
    S3_FARM_SECRET_KEY: ['coordinator', 'assembler', 'seaweedfs'],
    S3_WORKER_SECRET_KEY: ['worker-cpu', 'worker-gpu0', 'worker-gpu1', 'seaweedfs'], S3_API_SECRET_KEY: ['api', 'seaweedfs'],
    API_TENANT_KEY_SHA256: ['api'], API_ADMIN_KEY_SHA256: ['api'], API_TENANT_WEBHOOK_SECRET: ['api'],
    GRAFANA_ADMIN_PASSWORD: ['grafana'], POSTGRES_GRAFANA_PASSWORD: ['grafana', 'postgres'] };
  for (const [name, s] of Object.entries(services))
    for (const [secret, holders] of Object.entries(rootSecrets))
      if (envText(s).includes(`\${${secret}:`) && !holders.includes(name)) problems.push(`${name} is given ${secret} (only ${holders.join(', ')} should be)`);
  const pgSuper = services.postgres?.environment?.POSTGRES_USER;
  const mqAdmin = services.rabbitmq?.environment?.RABBITMQ_DEFAULT_USER;
  const keys = new Map();
  for (const [name, s] of farmServices) {
    const env = s.environment ?? {};
    const pgUser = /Username=([^;]+)/.exec(env.Farm__DatabaseConnection ?? '')?.[1];
    if (!pgUser || pgUser === pgSuper || pgUser === 'postgres') problems.push(`${name}: connects to PostgreSQL as ${pgUser}, the superuser`);
    const mqUser = /^amqps?:\/\/([^:@/]+)/.exec(env.Farm__RabbitMqUrl ?? '')?.[1];
    if (!mqUser || mqUser === mqAdmin) problems.push(`${name}: connects to RabbitMQ as ${mqUser}, the administrator`);
    if (!env.Farm__S3AccessKey) problems.push(`${name}: no S3 access key`);
    keys.set(name, env.Farm__S3AccessKey);
  }
  const apiKey = keys.get('api');
  for (const [name, key] of keys) if (name !== 'api' && key === apiKey) problems.push(`${name} shares the API's S3 access key ${key}`);
  // The S3 identities are the ones deploy/seaweedfs/start.sh writes from seaweedfs's environment.
  const storeEnv = services.seaweedfs?.environment ?? {};
  const madeKeys = new Set(Object.entries(storeEnv).filter(([k]) => /^S3_\w+_ACCESS_KEY$/.test(k)).map(([, v]) => v));
  for (const [name, key] of keys) if (!madeKeys.has(key)) problems.push(`${name}: S3 identity ${key} is not made by seaweedfs (start.sh)`);
  for (const [name, s] of farmServices) {
    const role = /^\$\{(S3_\w+)_SECRET_KEY:/.exec(String(s.environment?.Farm__S3SecretKey ?? ''))?.[1];
    const access = Object.entries(storeEnv).find(([k]) => k === `${role}_ACCESS_KEY`)?.[1];
    if (!role || access !== s.environment?.Farm__S3AccessKey) problems.push(`${name}: its S3 secret key is not the one seaweedfs pairs with ${s.environment?.Farm__S3AccessKey}`);
  }
  if (storeEnv.S3_BUCKET !== services.api?.environment?.Farm__S3Bucket) problems.push(`seaweedfs's S3_BUCKET ${storeEnv.S3_BUCKET} is not the farm's bucket`);
  if (services['seaweedfs-init']?.environment?.S3_BUCKET !== storeEnv.S3_BUCKET) problems.push('seaweedfs-init makes another bucket than seaweedfs serves');
  if (services['rabbitmq-init']?.environment?.RABBITMQ_FARM_USER !== 'upscalefarm') problems.push('rabbitmq-init does not make the farm\'s RabbitMQ user upscalefarm');
  check('compose: each role has its own credentials (no superuser or administrator in the farm; API S3 key its own; S3 identities made by seaweedfs)', problems);
}
{
  // Grafana: no anonymous access, no sign-up, the admin password and the data source's password from .env.
  const problems = [];
  const env = services.grafana?.environment ?? {};
  if (String(env.GF_AUTH_ANONYMOUS_ENABLED) !== 'false') problems.push(`GF_AUTH_ANONYMOUS_ENABLED is ${env.GF_AUTH_ANONYMOUS_ENABLED}, not "false"`);
  if (String(env.GF_USERS_ALLOW_SIGN_UP) !== 'false') problems.push(`GF_USERS_ALLOW_SIGN_UP is ${env.GF_USERS_ALLOW_SIGN_UP}, not "false"`);
  if (!/^\$\{\w+:\?/.test(String(env.GF_SECURITY_ADMIN_PASSWORD ?? ''))) problems.push('GF_SECURITY_ADMIN_PASSWORD is not a required .env variable');
  for (const f of walk(path.join(root, 'deploy/grafana/provisioning/datasources'), (p) => /\.ya?ml$/.test(p)))
    for (const d of loadYaml(f)?.datasources ?? []) {
      const pw = d.secureJsonData?.password;
      if (pw !== undefined && !/^\$\{?(\w+)\}?$/.test(pw)) problems.push(`data source ${d.name}: the password is a literal in ${rel(f)}`);
      const v = /^\$\{?(\w+)\}?$/.exec(pw ?? '')?.[1];
      if (v && !/^\$\{\w+:\?/.test(String(env[v] ?? ''))) problems.push(`data source ${d.name}: ${v} is not set in grafana's environment from .env`);
      if (d.type === 'grafana-postgresql-datasource' && d.user !== 'grafana_reader') problems.push(`data source ${d.name} connects as ${d.user}, not grafana_reader`);
    }
  check('grafana: no anonymous access or sign-up; admin and data source passwords from .env; the job store as grafana_reader', problems);
}

// ---------------------------------------------------------------------------------------------
// 3. Dockerfiles: valid instructions, multi-stage, non-root, every COPY/ADD source exists in the
//    build context (the repository root) and is not left out by a .dockerignore.
function dockerignoreMatcher(lines) {
  // Docker's rules: patterns are relative to the context root, "*" and "?" stay within a path
  // segment, "**" spans any number, "!" re-includes, the last matching pattern wins, and a path is
  // left out when it or a folder above it is.
  const rules = lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => {
    const negate = l.startsWith('!');
    const pattern = path.posix.normalize((negate ? l.slice(1) : l).trim().replace(/^\/+/, '')).replace(/\/+$/, '');
    let re = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i];
      if (c === '*' && pattern[i + 1] === '*') { re += '.*'; i++; if (pattern[i + 1] === '/') i++; }
      else if (c === '*') re += '[^/]*';
      else if (c === '?') re += '[^/]';
      else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return { negate, re: new RegExp(`^${re}$`) };
  });
  return (p) => {
    const parts = path.posix.normalize(p).replace(/\/+$/, '').split('/');
    let excluded = false;
    for (let n = 1; n <= parts.length; n++) {
      const prefix = parts.slice(0, n).join('/');
      for (const r of rules) if (r.re.test(prefix)) excluded = !r.negate;
      if (excluded && n < parts.length) return true;
    }
    return excluded;
  };
}
const readmeIgnore = (() => {
  const readme = path.join(root, 'deploy/docker/README.md');
  if (!exists(readme)) return null;
  const m = /## What the build context should leave out[\s\S]*?```\n([\s\S]*?)```/.exec(read(readme));
  return m ? m[1].split('\n') : null;
})();
const rootIgnore = exists(path.join(root, '.dockerignore')) ? read(path.join(root, '.dockerignore')).split('\n') : null;
const ignoreSets = [['deploy/docker/README.md\'s proposed .dockerignore', readmeIgnore], ['.dockerignore', rootIgnore]].filter(([, l]) => l);

const dockerfiles = walk(path.join(root, 'deploy/docker'), (p) => p.endsWith('Dockerfile'));
const composeDockerfiles = new Set(Object.values(services).filter((s) => s.build).map((s) => path.resolve(root, s.build.context ?? '.', s.build.dockerfile ?? 'Dockerfile')));
for (const file of dockerfiles) {
  const text = read(file);
  const problems = [];
  for (const d of dockerfileUtils.validate(text)) {
    // severity 1 = error, 2 = warning (LSP); both are reported, errors fail.
    if (d.severity === 1) problems.push(`line ${d.range.start.line + 1}: ${d.message}`);
    else console.log(`     (warning) ${rel(file)} line ${d.range.start.line + 1}: ${d.message}`);
  }
  const df = DockerfileParser.parse(text);
  const args = Object.fromEntries(df.getARGs().filter((a) => a.getProperty()).map((a) => [a.getProperty().getName(), a.getProperty().getValue()]));
  const subst = (s) => s.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a, b) => args[a ?? b] ?? m);
  const froms = df.getFROMs();
  const stages = [];
  for (const from of froms) {
    const image = subst(from.getImage() ?? '');
    if (!stages.includes(image) && !/^[\w.\-/]+(:[\w.\-]+|@sha256:[0-9a-f]+)$/.test(image))
      problems.push(`FROM ${from.getImage()} is neither an earlier stage nor an image with a tag (${image})`);
    if (from.getBuildStage()) stages.push(from.getBuildStage());
  }
  if (froms.length < 2) problems.push('not multi-stage');
  const lastFrom = froms.at(-1)?.getRange().start.line ?? 0;
  const users = df.getInstructions().filter((i) => i.getKeyword() === 'USER' && i.getRange().start.line > lastFrom);
  const finalUser = users.at(-1)?.getArguments()[0]?.getValue();
  if (!finalUser) problems.push('the final stage sets no USER (it would run as root)');
  else if (/^(root|0)(:|$)/.test(finalUser)) problems.push(`the final stage runs as ${finalUser}`);
  const sources = [];
  for (const ins of df.getInstructions()) {
    const kw = ins.getKeyword();
    if (kw !== 'COPY' && kw !== 'ADD') continue;
    const line = ins.getRange().start.line + 1;
    const from = ins.getFlags().find((f) => f.getName() === 'from');
    const json = typeof ins.getJSONStrings === 'function' ? ins.getJSONStrings() : [];
    const values = json.length ? json.map((s) => s.getJSONValue()) : ins.getArguments().map((a) => a.getValue());
    if (values.length < 2) { problems.push(`line ${line}: ${kw} needs a source and a destination`); continue; }
    if (from) {
      const stage = from.getValue();
      if (!stages.includes(stage) && !stage.includes('/') && !stage.includes(':'))
        problems.push(`line ${line}: --from=${stage} is not an earlier stage`);
      continue;
    }
    for (const source of values.slice(0, -1)) {
      if (source.startsWith('<<') || /^https?:\/\//.test(source)) continue;
      sources.push(source);
      const abs = path.resolve(root, subst(source));
      if (/[*?[]/.test(source)) {
        const dir = path.dirname(abs);
        const re = new RegExp(`^${path.basename(abs).replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
        if (!exists(dir) || !fs.readdirSync(dir).some((n) => re.test(n))) problems.push(`line ${line}: ${kw} ${source}: nothing matches`);
      } else if (!exists(abs)) problems.push(`line ${line}: ${kw} ${source}: no such file or folder in the repository`);
      for (const [label, lines] of ignoreSets)
        if (dockerignoreMatcher(lines)(subst(source))) problems.push(`line ${line}: ${kw} ${source} is excluded by ${label}`);
    }
  }
  if (!composeDockerfiles.has(file)) problems.push('no compose service builds it');
  console.log(`     ${rel(file)}: stages ${stages.join(', ')}; user ${finalUser}; copies ${sources.join(', ')}`);
  check(`dockerfile: ${rel(file)}`, problems);
}

// ---------------------------------------------------------------------------------------------
// 4. The collector's pipelines use declared components; the hosts it and Prometheus reach are
//    compose services; Prometheus scrapes the port the collector exports on.
const collectorFile = path.join(root, 'deploy/otel-collector/config.yaml');
const collector = loadYaml(collectorFile) ?? {};
{
  const problems = yamlDocs.has(collectorFile) ? [] : ['deploy/otel-collector/config.yaml did not parse (see above)'];
  for (const [signal, p] of Object.entries(collector.service?.pipelines ?? {})) {
    for (const kind of ['receivers', 'processors', 'exporters'])
      for (const c of p[kind] ?? []) if (!(collector[kind] && c in collector[kind])) problems.push(`${signal}: ${kind.slice(0, -1)} ${c} is not declared`);
  }
  for (const signal of ['traces', 'metrics', 'logs']) if (!collector.service?.pipelines?.[signal]) problems.push(`no ${signal} pipeline`);
  for (const [name, e] of Object.entries(collector.exporters ?? {})) {
    const host = /^(?:\w+:\/\/)?([^:/]+):\d+/.exec(e?.endpoint ?? '')?.[1];
    if (host && host !== '0.0.0.0' && !serviceNames.has(host)) problems.push(`exporter ${name}: ${host} is not a compose service`);
  }
  if (!collector.exporters?.prometheus?.resource_to_telemetry_conversion?.enabled) problems.push('prometheus exporter: resource_to_telemetry_conversion is not enabled');
  check('otel-collector: pipelines use declared receivers, processors and exporters; endpoints are services', problems);
}
const prometheusFile = path.join(root, 'deploy/prometheus/prometheus.yml');
const prometheus = loadYaml(prometheusFile) ?? {};
{
  const problems = [prometheusFile, collectorFile].filter((f) => !yamlDocs.has(f)).map((f) => `${rel(f)} did not parse (see above)`);
  const exportPort = /:(\d+)$/.exec(collector.exporters?.prometheus?.endpoint ?? '')?.[1];
  const targets = (prometheus.scrape_configs ?? []).flatMap((j) => (j.static_configs ?? []).flatMap((c) => c.targets ?? []).map((t) => [j.job_name, t]));
  for (const [job, t] of targets) {
    const host = t.split(':')[0];
    if (!serviceNames.has(host)) problems.push(`job ${job}: target ${t} is not a compose service`);
  }
  if (problems.length === 0 && !targets.some(([, t]) => t === `otel-collector:${exportPort}`)) problems.push(`nothing scrapes otel-collector:${exportPort}, where the collector exports`);
  if (targets.some(([, t]) => t.startsWith('rabbitmq:15692'))) {
    const plugins = read(path.join(root, 'deploy/rabbitmq/enabled_plugins'));
    if (!plugins.includes('rabbitmq_prometheus')) problems.push('rabbitmq:15692 is scraped but rabbitmq_prometheus is not enabled');
  }
  if (targets.some(([, t]) => t.startsWith('seaweedfs:')) && !read(path.join(root, 'deploy/seaweedfs/start.sh')).includes(`-metricsPort=${targets.find(([, t]) => t.startsWith('seaweedfs:'))[1].split(':')[1]}`))
    problems.push('seaweedfs is scraped on a port deploy/seaweedfs/start.sh does not give -metricsPort');
  check('prometheus: scrape targets are compose services, the collector and RabbitMQ endpoints are enabled', problems);
}

// ---------------------------------------------------------------------------------------------
// 5. Grafana: provisioning and dashboards agree; dashboards query only known metrics and labels.
const datasourceFiles = walk(path.join(root, 'deploy/grafana/provisioning/datasources'), (p) => /\.ya?ml$/.test(p));
const datasources = datasourceFiles.flatMap((f) => loadYaml(f)?.datasources ?? []);
const dsByUid = new Map(datasources.map((d) => [d.uid, d]));
{
  const problems = [];
  for (const d of datasources) {
    if (!d.uid) problems.push(`data source ${d.name} has no uid (dashboards could not refer to it)`);
    const host = /^(?:\w+:\/\/)?([^:/]+)/.exec(d.url ?? '')?.[1];
    if (host && !serviceNames.has(host)) problems.push(`data source ${d.name}: ${host} is not a compose service`);
  }
  if (dsByUid.size !== datasources.length) problems.push('data source uids are not unique');
  const grafana = services.grafana ?? {};
  const mounts = (grafana.volumes ?? []).filter((v) => typeof v === 'string').map((v) => v.split(':'));
  const providers = walk(path.join(root, 'deploy/grafana/provisioning/dashboards'), (p) => /\.ya?ml$/.test(p)).flatMap((f) => loadYaml(f)?.providers ?? []);
  for (const p of providers) {
    const mount = mounts.find(([, target]) => target === p.options?.path);
    if (!mount) problems.push(`dashboard provider ${p.name} reads ${p.options?.path}, which compose does not mount`);
    else if (path.resolve(root, mount[0]) !== path.join(root, 'deploy/grafana/dashboards')) problems.push(`${p.options.path} is mounted from ${mount[0]}`);
  }
  if (!mounts.some(([src, target]) => path.resolve(root, src) === path.join(root, 'deploy/grafana/provisioning') && target === '/etc/grafana/provisioning'))
    problems.push('deploy/grafana/provisioning is not mounted at /etc/grafana/provisioning');
  const home = grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
  if (home && !exists(path.join(root, 'deploy/grafana/dashboards', path.basename(home)))) problems.push(`home dashboard ${home} does not exist`);
  check('grafana: data sources have unique uids and reach compose services; provisioning paths are mounted', problems);
}
const dashboardFiles = walk(path.join(root, 'deploy/grafana/dashboards'), (p) => p.endsWith('.json'));
const dashboards = new Map();
for (const file of dashboardFiles) {
  try { dashboards.set(file, JSON.parse(read(file))); check(`dashboard is valid JSON: ${rel(file)}`, []); }
  catch (e) { check(`dashboard is valid JSON: ${rel(file)}`, [e.message]); }
}
const dashboardUids = new Set([...dashboards.values()].map((d) => d.uid));
const sqlQueries = [];
for (const [file, dash] of dashboards) {
  const problems = [];
  const metricsSeen = new Set();
  const panels = (dash.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
  const ids = panels.map((p) => p.id);
  if (new Set(ids).size !== ids.length) problems.push('panel ids are not unique');
  if (!dash.uid) problems.push('no uid');
  const variables = new Set((dash.templating?.list ?? []).map((v) => v.name));
  // Every datasource reference anywhere in the dashboard names a provisioned uid.
  const visit = (node, where) => {
    if (Array.isArray(node)) node.forEach((n, i) => visit(n, `${where}[${i}]`));
    else if (node && typeof node === 'object') {
      if (node.datasource !== undefined) {
        const ds = node.datasource;
        const uid = typeof ds === 'string' ? ds : ds?.uid;
        if (uid && !uid.startsWith('$') && !dsByUid.has(uid)) problems.push(`${where}: data source uid ${uid} is not provisioned`);
        if (uid && typeof ds === 'object' && ds.type && dsByUid.get(uid)?.type !== ds.type) problems.push(`${where}: data source ${uid} is of type ${dsByUid.get(uid)?.type}, not ${ds.type}`);
      }
      for (const [k, v] of Object.entries(node)) visit(v, `${where}.${k}`);
    }
  };
  visit(dash, path.basename(file));
  for (const p of panels) {
    for (const t of p.targets ?? []) {
      const uid = t.datasource?.uid ?? p.datasource?.uid;
      const type = dsByUid.get(uid)?.type;
      const where = `panel "${p.title}" ${t.refId}`;
      if (type === 'prometheus') {
        let names;
        try { names = queriedNames(t.expr ?? ''); } catch (e) { problems.push(`${where}: unreadable PromQL (${e.message}): ${t.expr}`); continue; }
        const { metrics, labels } = names;
        if (metrics.length === 0) problems.push(`${where}: no metric in ${t.expr}`);
        for (const m of metrics) { metricsSeen.add(m); if (!KNOWN_METRICS.has(m)) problems.push(`${where}: unknown metric ${m}`); }
        for (const l of labels) if (!KNOWN_LABELS.has(l)) problems.push(`${where}: unknown label ${l}`);
      } else if (type === 'jaeger') {
        if (t.service && !otelServiceNames.has(t.service)) problems.push(`${where}: Jaeger service ${t.service} is no compose service's OTEL_SERVICE_NAME`);
        if (t.tags && !/^job\.id=/.test(t.tags)) problems.push(`${where}: the trace search is not by tag job.id`);
      } else if (type === 'grafana-postgresql-datasource' || type === 'postgres') {
        if (!/\bFROM\s+(jobs|frames|tiles)\b/i.test(t.rawSql ?? '')) problems.push(`${where}: SQL reads none of jobs, frames, tiles`);
        sqlQueries.push({ dashboard: dash.uid, panel: p.title, sql: t.rawSql });
      }
    }
  }
  // Links: Jaeger searches name a real service; links to other dashboards name a real uid; every
  // ${variable} used is defined (or one of Grafana's own).
  const texts = [JSON.stringify(dash.links ?? []), ...panels.map((p) => p.options?.content ?? '')].join('\n');
  for (const m of texts.matchAll(/[?&]service=([\w.-]+)/g)) if (!otelServiceNames.has(m[1])) problems.push(`a Jaeger link searches service ${m[1]}, which no compose service is`);
  for (const m of texts.matchAll(/\/d\/([\w-]+)/g)) if (!dashboardUids.has(m[1])) problems.push(`a link opens dashboard ${m[1]}, which does not exist`);
  for (const m of JSON.stringify(dash).matchAll(/\$\{(\w+)(?::\w+)?\}/g)) if (!variables.has(m[1]) && !m[1].startsWith('__')) problems.push(`\${${m[1]}} is not a variable of this dashboard`);
  console.log(`     ${path.basename(file)}: metrics ${[...metricsSeen].sort().join(', ') || '(none)'}`);
  check(`dashboard queries: ${rel(file)} (data sources, metric and label names, links)`, problems);
}
{
  const overview = [...dashboards.values()].find((d) => d.uid === 'upscalefarm-overview');
  const drill = [...dashboards.values()].find((d) => d.uid === 'upscalefarm-job');
  const problems = [];
  if (!overview) problems.push('no dashboard upscalefarm-overview');
  else {
    const exprs = JSON.stringify(overview);
    for (const [what, needle] of [['queue depth', 'rabbitmq_detailed_queue_messages'], ['tiles/s', 'upscalefarm_tiles_completed_total'],
      ['active workers', 'count by (service_instance_id)'], ['device utilisation', 'upscalefarm_gpu_utilization_ratio'],
      ['job latency p50', 'histogram_quantile(0.50, sum by (le) (rate(upscalefarm_job_duration_seconds_bucket'],
      ['job latency p95', 'histogram_quantile(0.95, sum by (le) (rate(upscalefarm_job_duration_seconds_bucket'],
      ['job latency p99', 'histogram_quantile(0.99, sum by (le) (rate(upscalefarm_job_duration_seconds_bucket']])
      if (!exprs.includes(needle)) problems.push(`farm overview: no ${what}`);
  }
  if (!drill) problems.push('no dashboard upscalefarm-job');
  else {
    const v = (drill.templating?.list ?? []).find((x) => x.name === 'job_id');
    if (v?.type !== 'textbox') problems.push('job drill-down: no job_id text variable');
    if (!JSON.stringify(drill.links).includes('job.id')) problems.push('job drill-down: no link to the job\'s traces by tag job.id');
  }
  check('dashboards: the overview and drill-down have the panels the issue asks for', problems);
}
// The images the chart's values name ({repository, tag} objects), by their path in values.yaml.
const chartValues = YAML.parse(read(path.join(root, 'helm/upscalefarm/values.yaml')));
const chartImages = [];
(function walkValues(node, at) {
  if (!node || typeof node !== 'object') return;
  if (typeof node.repository === 'string' && 'tag' in node) chartImages.push([at, node]);
  for (const [k, v] of Object.entries(node)) walkValues(v, at ? `${at}.${k}` : k);
})(chartValues, '');
{
  // Images: every one the deployment names exists and is maintained, as far as can be told without a
  // registry: none is in the list of repositories known to be gone (tests/deploy/image-policy.json), and
  // compose and the chart pin exact versions (a digest, or a tag with a full version: no "latest", no
  // bare major such as postgres:17 or line such as rabbitmq:4.1-management), so a deployment does not
  // change under its operator. The farm's own images (upscalefarm/*) are built from this tree.
  const problems = [];
  const policy = JSON.parse(read(path.join(root, 'tests/deploy/image-policy.json')));
  const split = (ref) => {
    const digest = ref.includes('@') ? ref.slice(ref.indexOf('@') + 1) : null;
    const name = ref.split('@')[0];
    const colon = name.lastIndexOf(':');
    return colon > name.lastIndexOf('/') ? { repo: name.slice(0, colon), tag: name.slice(colon + 1), digest } : { repo: name, tag: null, digest };
  };
  const bare = (repo) => repo.replace(/^(docker\.io\/)?(library\/)?/, '');
  const gone = (repo) => policy.gone.find((g) => g.repository.endsWith('/*') ? bare(repo).startsWith(g.repository.slice(0, -1)) : bare(repo) === g.repository);
  const exact = ({ repo, tag, digest }) => {
    if (digest) return /^sha256:[0-9a-f]{64}$/.test(digest);
    if (!tag || tag === 'latest') return false;
    const version = /^v?(\d+(?:\.\d+)*)/.exec(tag)?.[1] ?? /RELEASE\.\d{4}-\d\d-\d\dT/.exec(tag)?.[0];
    if (!version) return false;
    return version.startsWith('RELEASE') || version.split('.').length >= 3 || (policy.exactTagExceptions.includes(bare(repo)) && version.split('.').length === 2);
  };
  const refs = [];
  for (const [name, s] of Object.entries(services)) if (s.image) refs.push([`docker-compose.yml service ${name}`, s.image, !s.build]);
  for (const [at, image] of chartImages)
    if (!image.repository.startsWith('upscalefarm/'))
      refs.push([`values.yaml ${at}`, `${image.repository}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest}` : ''}`, true]);
  for (const file of walk(path.join(root, 'deploy/docker'), (p) => p.endsWith('Dockerfile'))) {
    const text = read(file);
    const args = Object.fromEntries([...text.matchAll(/^ARG (\w+)=(\S+)/gm)].map((m) => [m[1], m[2]]));
    for (const m of text.matchAll(/^FROM (\S+)/gm)) {
      const image = m[1].replace(/\$\{(\w+)\}/g, (_, v) => args[v] ?? '');
      if (/^[a-z]+$/.test(image)) continue; // an earlier stage
      refs.push([`${rel(file)} FROM`, image, !policy.floatingAllowed.some((f) => f.repository === split(image).repo)]);
    }
  }
  for (const [where, ref, mustBeExact] of refs) {
    const parts = split(ref);
    const g = gone(parts.repo);
    if (g) problems.push(`${where}: ${ref} is gone (${g.why})`);
    if (mustBeExact && !exact(parts)) problems.push(`${where}: ${ref} is not pinned to an exact version or digest`);
  }
  if (refs.length < 12) problems.push(`only ${refs.length} image references found: the scan is broken`);
  // The check itself: references it must refuse.
  for (const bad of ['minio/minio:RELEASE.2025-09-07T16-13-09Z', 'docker.io/bitnami/postgresql:17.6.0', 'quay.io/minio/mc:RELEASE.2025-04-03T17-07-56Z'])
    if (!gone(split(bad).repo)) problems.push(`the gone list does not catch ${bad}`);
  for (const floating of ['postgres:17', 'rabbitmq:4.1-management', 'grafana/grafana:latest', 'otel/opentelemetry-collector-contrib'])
    if (exact(split(floating))) problems.push(`${floating} passes as exact`);
  check(`images: ${refs.length} references, none gone, compose and chart pinned exactly`, problems);
}
{
  // scripts/build-images.sh, as a dry run: it builds every Dockerfile, tagged REGISTRY/upscalefarm/NAME:appVersion,
  // exactly the farm images the chart's values pull, pushing each; and it refuses --push without a registry and a
  // tag Docker would refuse.
  const problems = [];
  const script = path.join(root, 'scripts/build-images.sh');
  const run = (...args) => spawnSync('bash', [script, '--dry-run', ...args], { encoding: 'utf8' });
  const dry = run('--registry', 'registry.example:5000/team', '--push');
  if (dry.status !== 0) problems.push(`the dry run failed: ${dry.stderr.trim()}`);
  const appVersion = String(YAML.parse(read(path.join(root, 'helm/upscalefarm/Chart.yaml'))).appVersion);
  const built = new Set([...dry.stdout.matchAll(/--tag registry\.example:5000\/team\/(\S+):(\S+)/g)].map((m) => {
    if (m[2] !== appVersion) problems.push(`${m[0]}: not the appVersion ${appVersion}`);
    return m[1];
  }));
  const pulled = new Set(chartImages.map(([, image]) => image.repository).filter((r) => r.startsWith('upscalefarm/')));
  const files = fs.readdirSync(path.join(root, 'deploy/docker')).filter((f) => f.endsWith('.Dockerfile'));
  for (const f of files) if (!dry.stdout.includes(`--file deploy/docker/${f}`)) problems.push(`${f} is not built`);
  for (const r of pulled) if (!built.has(r)) problems.push(`the chart pulls ${r}, which the script does not build`);
  for (const r of built) if (!pulled.has(r)) problems.push(`the script builds ${r}, which the chart does not pull`);
  if ((dry.stdout.match(/ --push /g) ?? []).length !== files.length) problems.push('--push is not passed to every build');
  if (run('--push').status === 0) problems.push('accepts --push without a registry');
  if (run('--version', 'bad tag').status === 0) problems.push('accepts a tag with a space');
  check('build-images.sh (dry run): every Dockerfile as REGISTRY/upscalefarm/NAME:appVersion, the names the chart pulls; bad arguments refused', problems);
}
{
  // .github/workflows/e2e.yml cannot run here (Docker, kind, the network): check what it names. Actions
  // pinned to a version, every path it uses exists, every chart value it sets exists in values.yaml,
  // the compose services and image names it uses are the ones compose and build-images.sh make.
  const problems = [];
  const file = path.join(root, '.github/workflows/e2e.yml');
  const wf = exists(file) ? YAML.parse(read(file)) : null;
  if (!wf) problems.push('.github/workflows/e2e.yml is missing');
  else {
    const steps = Object.values(wf.jobs ?? {}).flatMap((j) => j.steps ?? []);
    for (const st of steps) if (st.uses && !/@v\d+(\.\d+)*$/.test(st.uses)) problems.push(`uses ${st.uses}: not pinned to a version`);
    const scripts = steps.map((st) => st.run ?? '').join('\n');
    if (!scripts.includes('$PWD/samples:/in') || !scripts.includes('/in/chelsea.png') || !exists(path.join(root, 'samples/chelsea.png'))) problems.push('does not submit samples/chelsea.png');
    for (const p of ['scripts/build-images.sh', 'helm/upscalefarm', '.env.example'])
      if (!scripts.includes(p)) problems.push(`does not use ${p}`); else if (!exists(path.join(root, p))) problems.push(`uses ${p}, which does not exist`);
    const values = YAML.parse(read(path.join(root, 'helm/upscalefarm/values.yaml')));
    for (const m of scripts.matchAll(/--set ([\w.\[\]]+)=/g)) {
      let node = values;
      for (const part of m[1].split('.')) {
        const [, key, index] = /^(\w+)(?:\[(\d+)\])?$/.exec(part) ?? [];
        if (!node || typeof node !== 'object' || !(key in node)) { node = undefined; break; }
        node = node[key];
        if (index !== undefined) node = Array.isArray(node) ? {} : undefined; // a list item: its keys are free
        if (node && typeof node === 'object' && Object.keys(node).length === 0) break;
      }
      if (node === undefined) problems.push(`--set ${m[1]}: no such value in values.yaml`);
    }
    if (!/docker compose up -d --build --wait/.test(scripts)) problems.push('the compose job does not start the default profile with --wait');
    if (!scripts.includes('upscalefarm/farm:local') || services['worker-cpu']?.image !== 'upscalefarm/farm:local') problems.push('the compose job runs another image than compose builds');
    if (!/cmp \S+ \S+/.test(scripts)) problems.push('the compose job does not compare the result with the expected one');
    for (const what of ['helm lint --strict', 'kubeconform -strict', 'helm test', 'kind load docker-image'])
      if (!scripts.includes(what)) problems.push(`no ${what}`);
  }
  check('e2e workflow: actions pinned, paths exist, chart values it sets exist, compose names agree', problems);
}
{
  // The farm images run the CLI on the plain .NET runtime: nothing in its project graph may need the
  // ASP.NET Core shared framework (a Web SDK or a FrameworkReference), or the process would not start.
  const problems = [];
  const seen = new Set();
  const visit = (csproj) => {
    if (seen.has(csproj) || !exists(csproj)) return;
    seen.add(csproj);
    const text = read(csproj);
    if (/Sdk="Microsoft\.NET\.Sdk\.Web"|<FrameworkReference\s+Include="Microsoft\.AspNetCore\.App"/.test(text)) problems.push(`${rel(csproj)} needs ASP.NET Core`);
    for (const m of text.matchAll(/<ProjectReference\s+Include="([^"]+)"/g)) visit(path.resolve(path.dirname(csproj), m[1].replace(/\\/g, '/')));
  };
  visit(path.join(root, 'src/UpscaleFarm.Cli/UpscaleFarm.Cli.csproj'));
  if (seen.size < 3) problems.push(`only ${seen.size} projects found from the CLI: the walk is broken`);
  for (const f of ['farm.Dockerfile', 'worker-gpu.Dockerfile'])
    if (!read(path.join(root, 'deploy/docker', f)).includes('mcr.microsoft.com/dotnet/runtime:')) problems.push(`${f} does not run on the plain .NET runtime image`);
  check(`farm images: the CLI's ${seen.size} projects need only the plain .NET runtime`, problems);
}
if (sqlOut) {
  // The job store's tables as the farm creates them (src/UpscaleFarm.Farm/JobStore/Schema.cs, one
  // SQL text for SQLite and PostgreSQL), so that check.sh can run the dashboards' SQL against them.
  fs.mkdirSync(path.join(sqlOut, 'queries'), { recursive: true });
  const schemaCs = path.join(root, 'src/UpscaleFarm.Farm/JobStore/Schema.cs');
  const schema = exists(schemaCs) ? /Tables = """\n([\s\S]*?)"""/.exec(read(schemaCs))?.[1] : null;
  check('job store schema found in src/UpscaleFarm.Farm/JobStore/Schema.cs (for the SQL check)',
    schema && /CREATE TABLE IF NOT EXISTS tiles/.test(schema) ? [] : ['no Tables = """ ... """ block creating the tiles table']);
  if (schema) fs.writeFileSync(path.join(sqlOut, 'schema.sql'), schema);
  sqlQueries.forEach((q, i) => fs.writeFileSync(path.join(sqlOut, 'queries', `${String(i + 1).padStart(2, '0')}-${q.dashboard}.sql`),
    `-- ${q.dashboard}: ${q.panel}\n${q.sql.replace(/\$\{job_id:sqlstring\}/g, "'0123456789abcdef0123456789abcdef'")};\n`));
}

console.log(`checks.mjs: ${passes} passed, ${failures} failed`);
process.exit(Math.min(failures, 100));
