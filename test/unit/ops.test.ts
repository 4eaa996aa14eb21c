import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { HISTOGRAMS, METRICS, METRIC_LABELS } from '../../src/observability/metric-names.js';
import { GATEWAY_CODES } from '../../src/upstream/gateway-codes.js';
import { RETURN_CODES } from '../../src/upstream/return-codes.js';

/*
 * ops/grafana-dashboard.json and ops/alerts.yml query the gateway's metrics by name. A renamed metric or label
 * does not break them loudly: the panel shows "No data" and the alert never fires. So every PromQL expression
 * in both files is tokenized here and each metric name, selector label and grouping label is checked against
 * src/observability/metric-names.ts.
 */

// ---------------------------------------------------------------------------------------------------------------
// A PromQL tokenizer: just enough to tell metric names from functions, keywords, labels, strings and durations.
// It is strict on purpose: anything it does not understand throws rather than being skipped silently.

const AGGREGATIONS = new Set([
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio',
]);

const FUNCTIONS = new Set([
  'abs', 'absent', 'absent_over_time', 'ceil', 'changes', 'clamp', 'clamp_max', 'clamp_min', 'day_of_month', 'day_of_week',
  'day_of_year', 'days_in_month', 'delta', 'deriv', 'double_exponential_smoothing', 'exp', 'floor', 'histogram_avg',
  'histogram_count', 'histogram_fraction', 'histogram_quantile', 'histogram_stddev', 'histogram_stdvar', 'histogram_sum',
  'holt_winters', 'hour', 'idelta', 'increase', 'irate', 'label_join', 'label_replace', 'ln', 'log2', 'log10', 'minute',
  'month', 'predict_linear', 'rate', 'resets', 'round', 'scalar', 'sgn', 'sort', 'sort_desc', 'sort_by_label',
  'sort_by_label_desc', 'sqrt', 'time', 'timestamp', 'vector', 'year', 'avg_over_time', 'min_over_time', 'max_over_time',
  'sum_over_time', 'count_over_time', 'quantile_over_time', 'stddev_over_time', 'stdvar_over_time', 'last_over_time',
  'present_over_time', 'mad_over_time', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'cos', 'cosh', 'sin', 'sinh',
  'tan', 'tanh', 'deg', 'rad', 'pi', 'start', 'end',
]);

/** Keywords followed by a list of label names in parentheses (`group_left` may also stand alone). */
const GROUPING_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

const OTHER_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan']);

const MATCH_OPERATORS = new Set(['=', '!=', '=~', '!~']);

type TokenKind = 'ident' | 'string' | 'number' | 'variable' | 'punct';

interface Token {
  kind: TokenKind;
  text: string;
}

// Durations first (`5m`, `1h30m`, `250ms`), then numbers (`0.99`, `1e-3`, `0x1f`).
const DURATION = /^(?:[0-9]+(?:ms|[smhdwy]))+/;
const NUMBER = /^(?:0x[0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_:]*/;
// Grafana variables: `$job`, `$__rate_interval`, `${job}`, `${job:regex}`.
const VARIABLE = /^\$(?:\{[^}]*\}|[A-Za-z0-9_]+)/;
const PUNCT = /^(?:==|!=|=~|!~|<=|>=|[(){}[\],=<>+\-*/%^@:])/;

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let rest = expr;
  while (rest.length > 0) {
    const first = rest[0]!;
    if (/\s/.test(first)) {
      rest = rest.slice(1);
    } else if (first === '#') {
      const end = rest.indexOf('\n');
      rest = end === -1 ? '' : rest.slice(end + 1);
    } else if (first === '"' || first === "'" || first === '`') {
      let end = 1;
      while (end < rest.length && rest[end] !== first) end += first !== '`' && rest[end] === '\\' ? 2 : 1;
      if (end >= rest.length) throw new Error(`unterminated string in: ${expr}`);
      tokens.push({ kind: 'string', text: rest.slice(1, end) });
      rest = rest.slice(end + 1);
    } else {
      const candidates: Array<[TokenKind, RegExpExecArray | null]> = [
        ['variable', VARIABLE.exec(rest)],
        ['number', DURATION.exec(rest) ?? NUMBER.exec(rest)],
        ['ident', IDENT.exec(rest)],
        ['punct', PUNCT.exec(rest)],
      ];
      const found = candidates.find(([, m]) => m !== null);
      if (!found?.[1]) throw new Error(`unexpected ${JSON.stringify(first)} at "${rest.slice(0, 20)}" in: ${expr}`);
      const [kind, m] = found;
      const text = m[0];
      rest = rest.slice(text.length);
      // `5mx` or `2foo` is neither a number nor a name.
      if (kind === 'number' && /^[A-Za-z_]/.test(rest)) throw new Error(`malformed number "${text}${rest.slice(0, 5)}" in: ${expr}`);
      tokens.push({ kind, text });
    }
  }
  return tokens;
}

interface SelectorLabel {
  /** The metric the selector belongs to; undefined for a selector without a name (`{job="x"}`). */
  metric: string | undefined;
  label: string;
  op: string;
  value: string;
}

interface PromqlUsage {
  metrics: string[];
  selectorLabels: SelectorLabel[];
  /** Labels in `by`, `without`, `on`, `ignoring`, `group_left` and `group_right` lists. */
  groupingLabels: string[];
}

/** The metric names and label names an expression uses. */
function extractPromql(expr: string): PromqlUsage {
  const tokens = tokenize(expr);
  const usage: PromqlUsage = { metrics: [], selectorLabels: [], groupingLabels: [] };
  const at = (i: number): Token | undefined => tokens[i];
  const expect = (i: number, what: string, ok: (t: Token) => boolean): Token => {
    const token = at(i);
    if (!token || !ok(token)) throw new Error(`expected ${what} at token ${i} ("${token?.text ?? 'end'}") in: ${expr}`);
    return token;
  };

  /** Reads `{name op "value", ...}` starting at the `{`; returns the index after the `}`. */
  const readSelector = (start: number, metric: string | undefined): number => {
    let i = start + 1;
    while (at(i)?.text !== '}') {
      // Prometheus 3 allows quoted names (`{"my.metric"}`); the gateway does not use them, so they are rejected.
      const label = expect(i, 'a label name', (t) => t.kind === 'ident').text;
      const op = expect(i + 1, 'a match operator', (t) => t.kind === 'punct' && MATCH_OPERATORS.has(t.text)).text;
      const value = expect(i + 2, 'a string', (t) => t.kind === 'string').text;
      usage.selectorLabels.push({ metric, label, op, value });
      i += 3;
      if (at(i)?.text === ',') i += 1;
      else expect(i, '"," or "}"', (t) => t.text === '}');
    }
    return i + 1;
  };

  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i]!;
    if (token.kind === 'punct' && token.text === '{') {
      i = readSelector(i, undefined);
      continue;
    }
    if (token.kind !== 'ident') {
      i += 1;
      continue;
    }
    const word = token.text.toLowerCase(); // PromQL keywords and functions are case-insensitive; names are not.
    const next = at(i + 1);
    if (GROUPING_KEYWORDS.has(word)) {
      i += 1;
      if (at(i)?.text === '(') {
        i += 1;
        while (at(i)?.text !== ')') {
          usage.groupingLabels.push(expect(i, 'a label name', (t) => t.kind === 'ident').text);
          i += 1;
          if (at(i)?.text === ',') i += 1;
          else expect(i, '"," or ")"', (t) => t.text === ')');
        }
        i += 1;
      }
    } else if (next?.text === '(') {
      if (!AGGREGATIONS.has(word) && !FUNCTIONS.has(word)) throw new Error(`unknown PromQL function "${token.text}" in: ${expr}`);
      i += 1;
    } else if (AGGREGATIONS.has(word) && (next?.text === 'by' || next?.text === 'without')) {
      i += 1;
    } else if (OTHER_KEYWORDS.has(word)) {
      i += 1;
    } else {
      usage.metrics.push(token.text);
      i = next?.text === '{' ? readSelector(i + 1, token.text) : i + 1;
    }
  }
  return usage;
}

// ---------------------------------------------------------------------------------------------------------------
// What may be queried.

/** The prom-client default metrics the ops files use; these carry only the scrape's `job` and `instance`. */
const PROCESS_METRICS = new Set([
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_heap_size_used_bytes',
]);

/** Labels Prometheus attaches to every scraped series. */
const TARGET_LABELS = ['job', 'instance'];

const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'] as const;

/** Values the `outcome` label can take: the vendor's codenames and the gateway's own codes. */
const OUTCOMES = new Set<string>([...RETURN_CODES.map((c) => c.codename), ...Object.keys(GATEWAY_CODES)]);

/** The labels of a series name the gateway's /metrics exposes, or undefined if it exposes no such series. */
function labelsOf(series: string): readonly string[] | undefined {
  if (series === 'up' || PROCESS_METRICS.has(series)) return TARGET_LABELS;
  const own = (METRIC_LABELS as Record<string, readonly string[]>)[series];
  // A classic histogram is scraped only as its _bucket/_sum/_count series: its bare name has no data.
  if (own && !HISTOGRAMS.has(series)) return [...own, ...TARGET_LABELS];
  for (const suffix of HISTOGRAM_SUFFIXES) {
    const base = series.slice(0, -suffix.length);
    if (series.endsWith(suffix) && HISTOGRAMS.has(base)) {
      const baseLabels = (METRIC_LABELS as Record<string, readonly string[]>)[base] ?? [];
      return [...baseLabels, ...TARGET_LABELS, ...(suffix === '_bucket' ? ['le'] : [])];
    }
  }
  return undefined;
}

/**
 * Everything wrong with one expression, as messages. Grouping labels are checked against the union of the
 * labels of the expression's metrics: a tokenizer cannot tell which operand a `by (...)` applies to.
 */
function problemsIn(expr: string): string[] {
  const usage = extractPromql(expr);
  const problems: string[] = [];
  if (usage.metrics.length === 0) problems.push('queries no metric');
  const known = new Set<string>();
  for (const metric of usage.metrics) {
    const labels = labelsOf(metric);
    if (labels) labels.forEach((l) => known.add(l));
    else problems.push(`unknown metric ${metric}`);
  }
  for (const { metric, label, op, value } of usage.selectorLabels) {
    if (metric === undefined) problems.push(`selector without a metric name uses ${label}`);
    else if (labelsOf(metric) && !labelsOf(metric)!.includes(label)) problems.push(`${metric} has no label ${label}`);
    if (label === 'outcome' && (op === '=' || op === '!=') && !OUTCOMES.has(value)) problems.push(`outcome "${value}" is no known code`);
  }
  for (const label of usage.groupingLabels) {
    if (!known.has(label)) problems.push(`no metric in the expression has label ${label} (by/on/ignoring)`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// The files.

const dashboardText = readFileSync(new URL('../../ops/grafana-dashboard.json', import.meta.url), 'utf8');
const alertsText = readFileSync(new URL('../../ops/alerts.yml', import.meta.url), 'utf8');

interface Located {
  where: string;
  expr: string;
}

/** Every `expr` string anywhere under `node`, with a JSON path to it. */
function collectExprs(node: unknown, path: string, out: Located[] = []): Located[] {
  if (Array.isArray(node)) node.forEach((item, index) => collectExprs(item, `${path}[${index}]`, out));
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'expr' && typeof value === 'string') out.push({ where: path, expr: value });
      else collectExprs(value, `${path}.${key}`, out);
    }
  }
  return out;
}

interface Target {
  refId?: string;
  expr?: string;
  datasource?: { uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  __inputs: Array<{ name: string; type: string; pluginId: string }>;
  schemaVersion: number;
  uid: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query?: unknown; definition?: string }> };
}

interface AlertRule {
  alert?: string;
  expr?: unknown;
  for?: unknown;
  labels?: { severity?: unknown };
  annotations?: { summary?: unknown; description?: unknown };
}

// ---------------------------------------------------------------------------------------------------------------

describe('PromQL metric extractor', () => {
  it('finds metric and label names and skips functions, keywords, strings, durations and variables', () => {
    const usage = extractPromql(
      'histogram_quantile(0.99, sum by (le, method) (rate(gateway_upstream_call_duration_seconds_bucket{job=~"$job", method!="x"}[$__rate_interval])))',
    );
    expect(usage).toEqual({
      metrics: ['gateway_upstream_call_duration_seconds_bucket'],
      selectorLabels: [
        { metric: 'gateway_upstream_call_duration_seconds_bucket', label: 'job', op: '=~', value: '$job' },
        { metric: 'gateway_upstream_call_duration_seconds_bucket', label: 'method', op: '!=', value: 'x' },
      ],
      groupingLabels: ['le', 'method'],
    });
  });

  it('handles binary operators, vector matching, offsets, subqueries, comments and trailing `by`', () => {
    const usage = extractPromql(`
      # share of failures
      SUM(rate(a_total{outcome!="SUCCESS"}[1h30m] offset 5m)) by (outcome)
        / ignoring (outcome) group_left
      sum(max_over_time(b_total[30m:1m])) > bool 1e-3 and on (instance) up == 0 or vector(1)`);
    expect(usage.metrics).toEqual(['a_total', 'b_total', 'up']);
    expect(usage.groupingLabels).toEqual(['outcome', 'outcome', 'instance']);
    expect(usage.selectorLabels).toEqual([{ metric: 'a_total', label: 'outcome', op: '!=', value: 'SUCCESS' }]);
  });

  it('does not take label names, label values or strings for metric names', () => {
    expect(extractPromql('label_replace(up, "dst_metric", "$1", "src", "(.*)")').metrics).toEqual(['up']);
    expect(extractPromql('count(up{job="gateway_graphql_requests_total"})').metrics).toEqual(['up']);
  });

  it('rejects what it does not understand instead of skipping it', () => {
    expect(() => extractPromql('rte(up[5m])')).toThrow(/unknown PromQL function "rte"/);
    expect(() => extractPromql('up{job="x}')).toThrow(/unterminated string/);
    expect(() => extractPromql('{"dotted.name"}')).toThrow(/expected a label name/);
    expect(() => extractPromql('rate(up[5mx])')).toThrow(/malformed number/);
  });

  it('reports an unknown metric, an unknown label and an unknown outcome spliced into a real expression', () => {
    const [first] = collectExprs(JSON.parse(dashboardText), 'dashboard');
    expect(first).toBeDefined();
    const expr = first!.expr;
    expect(problemsIn(expr)).toEqual([]);
    expect(problemsIn(`${expr} + gateway_bogus_total`)).toEqual(['unknown metric gateway_bogus_total']);
    expect(problemsIn(`${expr} + sum(rate(gateway_upstream_calls_total{store_id="1"}[5m]))`)).toEqual([
      'gateway_upstream_calls_total has no label store_id',
    ]);
    expect(problemsIn(`${expr} + sum by (store_id) (rate(gateway_upstream_calls_total[5m]))`)).toEqual([
      'no metric in the expression has label store_id (by/on/ignoring)',
    ]);
    expect(problemsIn('sum(rate(gateway_upstream_calls_total{outcome!="success"}[5m]))')).toEqual(['outcome "success" is no known code']);
  });

  it('accepts histograms only through their _bucket, _sum and _count series, and `le` only on _bucket', () => {
    expect(problemsIn('rate(gateway_graphql_request_duration_seconds_count[5m])')).toEqual([]);
    expect(problemsIn('rate(gateway_graphql_request_duration_seconds[5m])')).toEqual(['unknown metric gateway_graphql_request_duration_seconds']);
    expect(problemsIn('gateway_loader_batch_size_sum{le="1"}')).toEqual(['gateway_loader_batch_size_sum has no label le']);
    expect(problemsIn('rate(gateway_graphql_requests_total_bucket[5m])')).toEqual(['unknown metric gateway_graphql_requests_total_bucket']);
  });
});

describe('ops/grafana-dashboard.json', () => {
  const dashboard = JSON.parse(dashboardText) as Dashboard;
  const exprs = collectExprs(dashboard, 'dashboard');
  const allPanels = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
  const queryPanels = allPanels(dashboard.panels).filter((p) => p.type !== 'row');

  it('imports anywhere: a DS_PROMETHEUS input, used by every panel and target', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.__inputs).toContainEqual(expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }));
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', query: 'prometheus' }));
    const sources = queryPanels.flatMap((p) => [p.datasource?.uid, ...(p.targets ?? []).map((t) => t.datasource?.uid)]);
    expect(new Set(sources)).toEqual(new Set(['${DS_PROMETHEUS}']));
  });

  it('has unique panel ids and at least one query per panel, with unique refIds', () => {
    const ids = allPanels(dashboard.panels).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of queryPanels) {
      const refIds = (panel.targets ?? []).map((t) => t.refId);
      expect(refIds.length, panel.title).toBeGreaterThan(0);
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
      expect((panel.targets ?? []).every((t) => typeof t.expr === 'string' && t.expr.trim() !== ''), panel.title).toBe(true);
    }
    expect(exprs.length).toBe(queryPanels.flatMap((p) => p.targets ?? []).length);
  });

  it('uses only metric and label names the gateway exposes', () => {
    const problems = exprs.flatMap(({ where, expr }) => problemsIn(expr).map((p) => `${where}: ${p}`));
    expect(problems).toEqual([]);
  });

  it('shows every gateway metric somewhere', () => {
    const used = new Set(exprs.flatMap(({ expr }) => extractPromql(expr).metrics));
    const missing = Object.values(METRICS).filter(
      (name) => !used.has(name) && !HISTOGRAM_SUFFIXES.some((suffix) => used.has(`${name}${suffix}`)),
    );
    expect(missing).toEqual([]);
  });

  it('fills the job variable from a gateway metric', () => {
    const job = dashboard.templating.list.find((v) => v.name === 'job');
    const match = /^label_values\((\w+), job\)$/.exec(job?.definition ?? '');
    expect(match?.[1] && labelsOf(match[1])).toContain('job');
  });
});

describe('ops/alerts.yml', () => {
  const rules = parseYaml(alertsText) as { groups: Array<{ name: string; rules: AlertRule[] }> };
  const alerts = rules.groups.flatMap((g) => g.rules);

  it('holds the agreed alerts, each with expr, for, severity, summary and description', () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual(['CircuitBreakerOpen', 'GatewayDown', 'GraphQLLatencyP99High', 'VendorErrorRatioHigh']);
    for (const alert of alerts) {
      expect(typeof alert.expr === 'string' && alert.expr.trim() !== '', alert.alert).toBe(true);
      expect(String(alert.for), alert.alert).toMatch(new RegExp(`${DURATION.source}$`));
      expect(['critical', 'warning', 'info'], alert.alert).toContain(alert.labels?.severity);
      expect(typeof alert.annotations?.summary === 'string' && alert.annotations.summary !== '', alert.alert).toBe(true);
      expect(typeof alert.annotations?.description === 'string' && alert.annotations.description !== '', alert.alert).toBe(true);
    }
  });

  it('uses only metric and label names the gateway exposes', () => {
    const exprs = collectExprs(rules, 'alerts');
    expect(exprs).toHaveLength(alerts.length);
    const problems = exprs.flatMap(({ where, expr }) => problemsIn(expr).map((p) => `${where}: ${p}`));
    expect(problems).toEqual([]);
  });
});
