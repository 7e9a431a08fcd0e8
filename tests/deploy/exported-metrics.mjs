// What the deployment's queries may name: the metrics and labels of tests/deploy/exported-metrics.json (the
// farm's, RabbitMQ's and Prometheus's own), and the unknown names of a PromQL expression read by promql.mjs.
// Shared by the Grafana dashboards' check (tests/deploy/compose/checks.mjs) and the chart's alerts'
// (tests/deploy/helm/check-monitoring.mjs); the farm's PrometheusEndpointTests hold the JSON to what the
// processes serve.
import fs from "node:fs";
import { promqlNames } from "./promql.mjs";

const exported = JSON.parse(fs.readFileSync(new URL("./exported-metrics.json", import.meta.url), "utf8"));
const histogram = (name) => [`${name}_bucket`, `${name}_sum`, `${name}_count`];
export const KNOWN_METRICS = new Set(exported.metrics.flatMap((m) => (m.type === "histogram" ? histogram(m.name) : [m.name])));
export const KNOWN_LABELS = new Set(Object.keys(exported.labels));

// The metrics and labels an expression names, with Grafana's variables ($__rate_interval, ${job_id}, …) read
// as a duration first; throws when the expression is no PromQL promql.mjs can read.
export function queriedNames(expr) {
  return promqlNames(expr.replace(/\$__\w+|\$\{[^}]*\}|\$\w+/g, "5m"));
}

// The unknown metric and label names of an expression, or the reason it could not be read.
export function unknownNames(expr) {
  let names;
  try {
    names = queriedNames(expr);
  } catch (e) {
    return [`unreadable PromQL (${e.message})`];
  }
  return [
    ...names.metrics.filter((m) => !KNOWN_METRICS.has(m)).map((m) => `unknown metric ${m}`),
    ...names.labels.filter((l) => !KNOWN_LABELS.has(l)).map((l) => `unknown label ${l}`),
  ];
}
