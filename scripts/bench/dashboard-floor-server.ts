/**
 * The dashboard's floor: a bare graphql-yoga server (see bare-yoga.ts) with a schema of the gateway's shape for
 * what DASHBOARD_QUERY selects — `Query.stores(ids)` → `Store { id, passengerIndicator(from, to,
 * businessHoursOnly), dailyPassengerIndicators(…) }` → the figures — answering from constants in memory, with
 * plain synchronous resolvers. The same query and variables against it are the framework's limit for that
 * query on this machine, so dashboard-warm (every key cached: no upstream call) is measured against it.
 * Prints one `dashboard-floor listening on <url>` line.
 */
import { createSchema } from 'graphql-yoga';
import { serveBareYoga } from './bare-yoga.js';

const typeDefs = /* GraphQL */ `
  scalar LocalDate

  type Query {
    stores(ids: [ID!]!): [Store!]
  }

  type Store {
    id: ID!
    passengerIndicator(from: LocalDate!, to: LocalDate!, businessHoursOnly: Boolean! = false): PassengerIndicator
    dailyPassengerIndicators(from: LocalDate!, to: LocalDate!, businessHoursOnly: Boolean! = false): [PassengerIndicator!]
  }

  type PassengerIndicator {
    storeId: ID!
    from: LocalDate!
    to: LocalDate!
    businessHoursOnly: Boolean!
    inflow: Int!
    passBy: Int!
    outsideFlow: Int!
    inShopRate: Float!
    outflow: Int
  }
`;

/** One set of figures for every store and window; consistent as the bench's body check wants (outsideFlow = inflow + passBy). */
const FIGURES = { inflow: 120, passBy: 380, outsideFlow: 500, inShopRate: 24, outflow: 117 } as const;

interface StoreShape {
  id: string;
}
interface WindowArgs {
  from: string;
  to: string;
  businessHoursOnly: boolean;
}

/** The days of `[from, to]` (yyyy-MM-dd), memoized: the bench asks one window, so this is a constant after the first request. */
const daysByWindow = new Map<string, readonly string[]>();
const MAX_WINDOWS = 1000;
const MAX_DAYS = 366;
function daysOf(from: string, to: string): readonly string[] {
  const key = `${from}/${to}`;
  let days = daysByWindow.get(key);
  if (days === undefined) {
    const list: string[] = [];
    const end = Date.parse(`${to}T00:00:00Z`);
    for (let day = Date.parse(`${from}T00:00:00Z`); day <= end && list.length < MAX_DAYS; day += 86_400_000) {
      list.push(new Date(day).toISOString().slice(0, 10));
    }
    days = list;
    // Bounded: a stray client cannot grow this process without limit.
    if (daysByWindow.size >= MAX_WINDOWS) daysByWindow.clear();
    daysByWindow.set(key, days);
  }
  return days;
}

serveBareYoga(
  'dashboard-floor',
  createSchema({
    typeDefs,
    resolvers: {
      Query: {
        stores: (_root: unknown, { ids }: { ids: string[] }): StoreShape[] => ids.map((id) => ({ id })),
      },
      Store: {
        passengerIndicator: (store: StoreShape, { from, to, businessHoursOnly }: WindowArgs) => ({ storeId: store.id, from, to, businessHoursOnly, ...FIGURES }),
        dailyPassengerIndicators: (store: StoreShape, { from, to, businessHoursOnly }: WindowArgs) =>
          daysOf(from, to).map((day) => ({ storeId: store.id, from: day, to: day, businessHoursOnly, ...FIGURES })),
      },
    },
  }),
);
