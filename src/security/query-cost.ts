/**
 * The cost of a GraphQL request in upstream calls, computed from the document before anything executes, so a
 * request that could exhaust the vendor quota is refused whole instead of being cut off half way.
 *
 * The estimate is an upper bound: each field occurrence counts, even where graphql-js would merge two
 * occurrences with the same response key or collect a fragment spread twice in one selection set only once, and
 * the per-request de-duplication of the loaders is ignored. Pure graphql-js AST work: no Pothos, no yoga.
 */
import { Kind, valueFromASTUntyped, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import { dayNumberToLocalDate, daysInclusive, localDateToDayNumber } from '../resolvers/local-date.js';

export interface CostRules {
  /**
   * Most days one `dailyPassengerIndicators` field can cost: the resolver refuses a longer series before any
   * call. Pass `maxDailyDays` of the config (`OPRETAIL_MAX_DAILY_DAYS`).
   */
  maxDailyDays: number;
  /**
   * What the store directory would cost this request (`createStoreDirectory(…).costHints`): its pages once per
   * request however many fields need it (0 while a fresh copy is known), and how many stores `storeDirectory`
   * lists. Absent: directory fields cost nothing.
   */
  directory?: DirectoryCostHints;
  /** Longest `hourlyPassengerIndicators` window (`OPRETAIL_MAX_HOURLY_DAYS`): a longer one is refused before any call. */
  maxHourlyDays: number;
  /**
   * Stores per multi-store hourly call (`OPRETAIL_HOURLY_BATCH_SIZE`; 1 when the loader is off): the stores of a
   * request asking for the same hourly window cost ⌈stores / this⌉ calls together.
   */
  hourlyBatchSize: number;
}

/** What the process knows about the store directory (the last fetch), or conservative bounds before one. */
export interface DirectoryCostHints {
  calls(): number;
  stores(): number;
}

export interface EstimateOptions {
  /** The request's raw variables (as received, before coercion). */
  variables?: Record<string, unknown> | null;
  /** Which operation runs; optional when the document has exactly one. */
  operationName?: string | null;
  rules: CostRules;
}

/** Everything a field's cost depends on besides the field itself. */
interface Environment {
  variables: Record<string, unknown>;
  /** Default values of the selected operation's variables. */
  defaults: Map<string, ValueNode>;
  rules: CostRules;
}

/** Upstream calls one occurrence of a `Store` field causes for one store. */
type StoreFieldCost = (field: FieldNode, env: Environment) => number;
/**
 * A `Store` field fetched in multi-store batches: the batch it joins (same method and window), or undefined when
 * the resolver refuses it before any call. Occurrences of one batch across the request cost ⌈n / batch size⌉.
 */
type StoreFieldBatch = (field: FieldNode, env: Environment) => string | undefined;
/** Stores a root field resolves to (what its selection on `Store` is multiplied by). */
type RootFieldStores = (field: FieldNode, env: Environment) => number;

const MAX = Number.MAX_SAFE_INTEGER;

/**
 * The `Store` fields that call the vendor, and what one occurrence costs per store. A Map, not an object literal:
 * a field named `constructor` or `__proto__` must find nothing. Every other field (`id`, `__typename`) costs 0.
 */
const STORE_FIELD_COSTS: ReadonlyMap<string, StoreFieldCost> = new Map<string, StoreFieldCost>([
  ['passengerIndicator', () => 1],
  ['dailyPassengerIndicators', (field, env) => dailyWindowCost(field, env)],
]);

/**
 * The `Store` fields answered from the store directory: they need the directory, whose pages are counted once per
 * request however many stores and fields ask for it.
 */
const DIRECTORY_STORE_FIELDS: ReadonlySet<string> = new Set(['name', 'address', 'region', 'location', 'isOpen']);

/** The root field that lists the directory (it needs the directory too, whatever it selects). */
const DIRECTORY_ROOT_FIELD = 'storeDirectory';
/** The `Store` fields batched across stores. */
const BATCHED_STORE_FIELDS: ReadonlyMap<string, StoreFieldBatch> = new Map<string, StoreFieldBatch>([
  ['hourlyPassengerIndicators', (field, env) => hourlyBatch(field, env)],
]);

/** The root fields that return stores, and how many. Other root fields (`__typename`, `_service`) cost 0. */
const ROOT_FIELD_STORES: ReadonlyMap<string, RootFieldStores> = new Map<string, RootFieldStores>([
  ['store', () => 1],
  ['stores', (field, env) => listLength(argument(field, 'ids'), env)],
  // One store per representation; one of another __typename costs nothing, counting it keeps the bound simple.
  ['_entities', (field, env) => listLength(argument(field, 'representations'), env)],
  // Every store the directory holds (an allow-listed key sees fewer: the bound stays simple).
  [DIRECTORY_ROOT_FIELD, (_field, env) => env.rules.directory?.stores() ?? 0],
]);

/** Upper bound of upstream calls the selected operation can cause. Call it after the document validated. */
export function estimateUpstreamCalls(document: DocumentNode, options: EstimateOptions): number {
  const operation = selectOperation(document, options.operationName);
  if (operation === undefined) return 0; // execution refuses it: nothing will be called
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const defaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue !== undefined) defaults.set(definition.variable.name.value, definition.defaultValue);
  }
  const variables = isRecord(options.variables) ? options.variables : {};
  const env: Environment = { variables, defaults, rules: options.rules };
  const calculator = new CostCalculator(fragments, env);
  const cost = calculator.operationCost(operation.selectionSet);
  return calculator.needsDirectory && options.rules.directory ? add(cost, options.rules.directory.calls()) : cost;
}

function selectOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  // As graphql-js decides: a name picks the operation so named; no name works only with a single operation.
  if (operationName !== null && operationName !== undefined) return operations.find((operation) => operation.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

/** Where a selection set is evaluated: on `Query` (root fields pick stores) or on `Store` (fields cost calls). */
type Context = 'query' | 'store';

/**
 * A selection set's cost as a linear form: a constant plus weighted costs of the named fragments it spreads.
 * Weights carry the store multipliers of the root fields the spreads sit under.
 */
interface LinearCost extends Tally {
  spreads: { key: string; weight: number }[];
}

/**
 * Calls, plus store occurrences per batch (summed before they are divided into calls, at the very end). `batched`
 * is null while there are none: most documents have no batched field and allocate nothing for them.
 */
interface Tally {
  constant: number;
  batched: Map<string, number> | null;
}

const fragmentKey = (context: Context, name: string): string => `${context}:${name}`;

class CostCalculator {
  /** Cost of a named fragment in a context; memoized, so a fragment spread 2^30 times is computed once. */
  private readonly memo = new Map<string, Tally>();
  /** Some selected field needs the store directory (counted once, by the caller). */
  needsDirectory = false;

  constructor(
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    private readonly env: Environment,
  ) {}

  operationCost(selectionSet: SelectionSetNode): number {
    const cost = this.linearCost('query', selectionSet);
    for (const spread of cost.spreads) this.resolve(spread.key);
    const tally = this.evaluate(cost);
    let total = tally.constant;
    for (const stores of tally.batched?.values() ?? []) total = add(total, Math.ceil(stores / this.env.rules.hourlyBatchSize));
    return total;
  }

  /** Walks one selection set, inline fragments included, with an explicit stack: depth never meets the call stack. */
  private linearCost(context: Context, selectionSet: SelectionSetNode): LinearCost {
    const cost: LinearCost = { constant: 0, batched: null, spreads: [] };
    const pending: { context: Context; selectionSet: SelectionSetNode; weight: number }[] = [{ context, selectionSet, weight: 1 }];
    for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
      for (const selection of item.selectionSet.selections) {
        if (!isIncluded(selection, this.env)) continue;
        if (selection.kind === Kind.INLINE_FRAGMENT) {
          pending.push({ ...item, selectionSet: selection.selectionSet });
        } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
          cost.spreads.push({ key: fragmentKey(item.context, selection.name.value), weight: item.weight });
        } else if (item.context === 'store') {
          if (DIRECTORY_STORE_FIELDS.has(selection.name.value)) this.needsDirectory = true;
          const fieldCost = STORE_FIELD_COSTS.get(selection.name.value);
          if (fieldCost !== undefined) cost.constant = add(cost.constant, multiply(item.weight, fieldCost(selection, this.env)));
          const batch = BATCHED_STORE_FIELDS.get(selection.name.value)?.(selection, this.env);
          if (batch !== undefined) addBatched((cost.batched ??= new Map()), batch, item.weight);
        } else {
          if (selection.name.value === DIRECTORY_ROOT_FIELD) this.needsDirectory = true;
          const stores = ROOT_FIELD_STORES.get(selection.name.value)?.(selection, this.env) ?? 0;
          if (stores > 0 && selection.selectionSet !== undefined) {
            pending.push({ context: 'store', selectionSet: selection.selectionSet, weight: multiply(item.weight, stores) });
          }
        }
      }
    }
    return cost;
  }

  /**
   * Computes the cost of the fragment `rootKey` and of every fragment it depends on, in post-order, with an
   * explicit stack instead of recursion, each once.
   */
  private resolve(rootKey: string): void {
    const started = new Map<string, LinearCost>();
    const stack = [rootKey];
    while (stack.length > 0) {
      const key = stack[stack.length - 1] as string;
      if (this.memo.has(key)) {
        stack.pop();
        continue;
      }
      let cost = started.get(key);
      if (cost === undefined) {
        cost = this.fragmentLinearCost(key);
        started.set(key, cost);
        // A spread of a fragment already started is a cycle (an invalid document): it is not waited for.
        const waiting = cost.spreads.filter((spread) => !this.memo.has(spread.key) && !started.has(spread.key));
        if (waiting.length > 0) {
          for (const spread of waiting) stack.push(spread.key);
          continue;
        }
      }
      this.memo.set(key, this.evaluate(cost));
      stack.pop();
    }
  }

  /** The form's value once its spreads are resolved; a spread still unresolved (on a cycle) counts 0. */
  private evaluate(cost: LinearCost): Tally {
    const total: Tally = { constant: cost.constant, batched: cost.batched && new Map(cost.batched) };
    // graphql-js never expands a fragment inside itself, so a cyclic spread adds nothing.
    for (const spread of cost.spreads) {
      const fragment = this.memo.get(spread.key);
      if (fragment === undefined) continue;
      total.constant = add(total.constant, multiply(spread.weight, fragment.constant));
      for (const [batch, stores] of fragment.batched ?? []) addBatched((total.batched ??= new Map()), batch, multiply(spread.weight, stores));
    }
    return total;
  }

  private fragmentLinearCost(key: string): LinearCost {
    const separator = key.indexOf(':');
    const context = key.slice(0, separator) as Context;
    const fragment = this.fragments.get(key.slice(separator + 1));
    return fragment === undefined ? { constant: 0, batched: null, spreads: [] } : this.linearCost(context, fragment.selectionSet);
  }
}

/** `@skip(if: true)` and `@include(if: false)` remove a selection; any other condition keeps it (an upper bound). */
function isIncluded(selection: SelectionNode, env: Environment): boolean {
  return condition(selection, 'skip', env) !== true && condition(selection, 'include', env) !== false;
}

function condition(selection: SelectionNode, directiveName: string, env: Environment): unknown {
  const directive = selection.directives?.find((node) => node.name.value === directiveName);
  const value = directive?.arguments?.find((node) => node.name.value === 'if')?.value;
  return value === undefined ? undefined : readValue(value, env);
}

/**
 * One `dailyPassengerIndicators` field: one call per day of `[from, to]`. A window refused before any call costs 0:
 * a date the LocalDate scalar rejects (it rejects every non-string), a missing or null date (the arguments are
 * `LocalDate!`), `from` after `to`. No field costs more than `maxDailyDays`, the longest series the resolver takes.
 */
function dailyWindowCost(field: FieldNode, env: Environment): number {
  const from = readDate(argument(field, 'from'), env);
  const to = readDate(argument(field, 'to'), env);
  if (from === undefined || to === undefined || from > to) return 0;
  const days = daysInclusive(from, to);
  return days > env.rules.maxDailyDays ? env.rules.maxDailyDays : days;
}

/**
 * One `hourlyPassengerIndicators` field: the batch of its window (`from|to|businessHoursOnly`, as the loader groups
 * stores). Refused before any call (undefined): an unreadable date, `from` after `to`, more than `maxHourlyDays`
 * days. An unreadable `businessHoursOnly` (a non-boolean the schema refuses) still gets a batch of its own: an
 * upper bound.
 */
function hourlyBatch(field: FieldNode, env: Environment): string | undefined {
  const from = readDate(argument(field, 'from'), env);
  const to = readDate(argument(field, 'to'), env);
  if (from === undefined || to === undefined || from > to || daysInclusive(from, to) > env.rules.maxHourlyDays) return undefined;
  const flag = argument(field, 'businessHoursOnly');
  const businessHoursOnly = flag === undefined ? false : readValue(flag, env);
  return `${from}|${to}|${businessHoursOnly === true ? 1 : businessHoursOnly === false || businessHoursOnly === undefined ? 0 : '?'}`;
}

/** `yyyy-MM-dd` with a year from 0001 to 9999, as the LocalDate scalar accepts. */
const LOCAL_DATE_FORMAT = /^(?!0000)\d{4}-\d{2}-\d{2}$/;

/** The date, if the LocalDate scalar accepts it: `yyyy-MM-dd` and a real calendar day (no 2026-02-30). */
function readDate(node: ValueNode | undefined, env: Environment): string | undefined {
  const value = node === undefined ? undefined : readValue(node, env);
  if (typeof value !== 'string' || !LOCAL_DATE_FORMAT.test(value)) return undefined;
  return dayNumberToLocalDate(localDateToDayNumber(value)) === value ? value : undefined;
}

/**
 * How many items a list argument holds once coerced: a list has its length, null none, any other value is
 * coerced to a list of one. A missing variable without a default makes execution refuse the request: 0.
 */
function listLength(node: ValueNode | undefined, env: Environment): number {
  if (node === undefined) return 0;
  if (node.kind === Kind.LIST) return node.values.length;
  if (node.kind === Kind.NULL) return 0;
  if (node.kind !== Kind.VARIABLE) return 1;
  const value = variableValue(node.name.value, env);
  if (value === undefined || value === null) return 0;
  return Array.isArray(value) ? value.length : 1;
}

function argument(field: FieldNode, name: string): ValueNode | undefined {
  return field.arguments?.find((node) => node.name.value === name)?.value;
}

/** A string, boolean or null literal, or a variable's value; `undefined` for any other literal (never needed). */
function readValue(node: ValueNode, env: Environment): unknown {
  switch (node.kind) {
    case Kind.VARIABLE:
      return variableValue(node.name.value, env);
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.NULL:
      return null;
    default:
      return undefined;
  }
}

/**
 * A variable as graphql-js coerces it: the value sent if the request has it as an own property (even null),
 * else the operation's default. Own properties only: `__proto__`, `constructor` and friends find nothing.
 */
function variableValue(name: string, env: Environment): unknown {
  if (Object.hasOwn(env.variables, name)) return env.variables[name];
  const defaultValue = env.defaults.get(name);
  return defaultValue === undefined ? undefined : valueFromASTUntyped(defaultValue);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function addBatched(batched: Map<string, number>, batch: string, stores: number): void {
  batched.set(batch, add(batched.get(batch) ?? 0, stores));
}

/** Saturating arithmetic on non-negative integers: a result above MAX_SAFE_INTEGER stays there. */
function add(a: number, b: number): number {
  return Math.min(a + b, MAX);
}

function multiply(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : Math.min(a * b, MAX);
}
