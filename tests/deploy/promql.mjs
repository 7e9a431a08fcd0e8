// The metric and label names a PromQL expression uses, for exported-metrics.mjs to hold the Grafana
// dashboards and the chart's alerts to the metrics the deployment exports (tests/deploy/exported-metrics.json).
//
// A tokenizer and a walk over the tokens, which is enough for that question without a full grammar:
//   - [ … ] (ranges, subqueries) and "offset DURATION" are skipped;
//   - by/without/on/ignoring/group_left/group_right ( … ) are label lists;
//   - an identifier followed by "(" is a function, which must be one of PromQL's; an aggregation
//     operator (sum, max, …) may have its by/without clause between the name and "(";
//   - and/or/unless/bool and the like are keywords; every other identifier is a metric name, and the
//     { … } after it (or alone) are label matchers: NAME OP "STRING", with __name__ naming the metric.
// It throws on what it cannot read (an unknown function, an unclosed bracket, a stray character), so
// that a broken expression fails the check rather than passing unread.

const FUNCTIONS = new Set([
  "abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "avg_over_time",
  "ceil", "changes", "clamp", "clamp_max", "clamp_min", "cos", "cosh", "count_over_time", "day_of_month",
  "day_of_week", "day_of_year", "days_in_month", "deg", "delta", "deriv", "double_exponential_smoothing", "exp",
  "floor", "histogram_avg", "histogram_count", "histogram_fraction", "histogram_quantile", "histogram_stddev",
  "histogram_stdvar", "histogram_sum", "holt_winters", "hour", "idelta", "increase", "info", "irate", "label_join",
  "label_replace", "last_over_time", "ln", "log10", "log2", "mad_over_time", "max_over_time", "min_over_time",
  "minute", "month", "pi", "predict_linear", "present_over_time", "quantile_over_time", "rad", "rate", "resets",
  "round", "scalar", "sgn", "sin", "sinh", "sort", "sort_by_label", "sort_by_label_desc", "sort_desc", "sqrt",
  "stddev_over_time", "stdvar_over_time", "sum_over_time", "tan", "tanh", "time", "timestamp", "vector", "year",
]);
const AGGREGATIONS = new Set(["sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
  "bottomk", "topk", "quantile", "limitk", "limit_ratio"]);
const LABEL_LISTS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);
const KEYWORDS = new Set(["and", "or", "unless", "bool", "atan2", "inf", "nan", "offset", "group_left", "group_right"]);

const TOKEN = new RegExp([
  /(?<space>\s+)/,
  /(?<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/,
  /(?<duration>(?:\d+(?:ms|s|m|h|d|w|y))+(?![\w.]))/,
  /(?<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/,
  /(?<ident>[A-Za-z_:][A-Za-z0-9_:]*)/,
  /(?<op>=~|!~|!=|==|<=|>=|[-+*/%^<>=])/,
  /(?<punct>[(){}[\],@])/,
].map((r) => r.source).join("|"), "y");

export function tokenize(expr) {
  const tokens = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expr.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(expr);
    if (!m) throw new Error(`cannot read ${JSON.stringify(expr.slice(at, at + 20))} at ${at}`);
    const [type, text] = Object.entries(m.groups).find(([, v]) => v !== undefined);
    if (type !== "space") tokens.push({ type, text, at });
  }
  return tokens;
}

export function promqlNames(expr) {
  const tokens = tokenize(expr);
  const metrics = new Set();
  const labels = new Set();
  let depth = 0;
  const is = (i, text) => tokens[i]?.text === text;
  // Reads label matchers from the "{" at i; returns the index after "}".
  const matchers = (i) => {
    i++;
    while (!is(i, "}")) {
      const name = tokens[i];
      const op = tokens[i + 1];
      const value = tokens[i + 2];
      if (name?.type !== "ident" || !["=", "!=", "=~", "!~"].includes(op?.text) || value?.type !== "string")
        throw new Error(`a label matcher is NAME OP "STRING", at ${name?.at ?? "the end"}`);
      if (name.text === "__name__" && op.text === "=") metrics.add(value.text.slice(1, -1));
      else labels.add(name.text);
      i += 3;
      if (is(i, ",")) i++;
      else if (!is(i, "}")) throw new Error(`"," or "}" expected at ${tokens[i]?.at ?? "the end"}`);
    }
    return i + 1;
  };
  for (let i = 0; i < tokens.length; ) {
    const t = tokens[i];
    if (t.text === "[") {
      // A range or subquery: durations, ":" and a resolution; nothing named.
      const end = tokens.findIndex((x, j) => j > i && x.text === "]");
      if (end < 0) throw new Error(`unclosed [ at ${t.at}`);
      i = end + 1;
    } else if (t.text === "(") {
      depth++;
      i++;
    } else if (t.text === ")") {
      if (--depth < 0) throw new Error(`unbalanced ) at ${t.at}`);
      i++;
    } else if (t.text === "{") {
      i = matchers(i);
    } else if (t.type === "ident") {
      const word = t.text;
      if (LABEL_LISTS.has(word) && is(i + 1, "(")) {
        let j = i + 2;
        while (!is(j, ")")) {
          if (tokens[j]?.type === "ident") labels.add(tokens[j].text);
          else if (!is(j, ",")) throw new Error(`a label list holds names, at ${tokens[j]?.at ?? "the end"}`);
          j++;
        }
        i = j + 1;
      } else if (AGGREGATIONS.has(word)) {
        i++;
      } else if (is(i + 1, "(")) {
        if (!FUNCTIONS.has(word)) throw new Error(`unknown function ${word}`);
        i++;
      } else if (KEYWORDS.has(word.toLowerCase())) {
        i += word === "offset" ? 2 : 1;
      } else {
        metrics.add(word);
        i++;
      }
    } else i++;
  }
  if (depth !== 0) throw new Error("unclosed (");
  return { metrics: [...metrics], labels: [...labels] };
}
