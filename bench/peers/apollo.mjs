// A minimal Apollo Server 5 over Throughline's own tables, written the way the
// Apollo docs teach it: plain `pg` queries, one DataLoader per relation (so a
// page costs one statement per relation and level, as in Throughline).
//
//   DATABASE_URL=postgres://... PORT=8383 node apollo.mjs
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import DataLoader from "dataloader";
import pg from "pg";

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.POOL_SIZE ?? 8),
});

const typeDefs = `#graphql
  type Query {
    objectives(cycleId: ID!, first: Int = 20): ObjectiveConnection!
  }
  type ObjectiveConnection {
    totalCount: Int!
    nodes: [Objective!]!
  }
  type Objective {
    id: ID!
    title: String!
    owner: Person!
    keyResults: [KeyResult!]!
  }
  type KeyResult {
    id: ID!
    title: String!
    owner: Person!
  }
  type Person {
    id: ID!
    name: String!
  }
`;

function loaders() {
  return {
    person: new DataLoader(async (ids) => {
      const { rows } = await pool.query(
        "SELECT id, name FROM people WHERE id = ANY($1::uuid[])",
        [ids],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    keyResults: new DataLoader(async (ids) => {
      const { rows } = await pool.query(
        "SELECT id, objective_id, title, owner_id FROM okr_key_results WHERE objective_id = ANY($1::uuid[]) ORDER BY id",
        [ids],
      );
      const byObjective = new Map(ids.map((id) => [id, []]));
      for (const row of rows) byObjective.get(row.objective_id).push(row);
      return ids.map((id) => byObjective.get(id));
    }),
  };
}

const resolvers = {
  Query: {
    objectives: async (_, { cycleId, first }) => {
      const [page, count] = await Promise.all([
        pool.query(
          "SELECT id, title, owner_id FROM okr_objectives WHERE cycle_id = $1 ORDER BY title, id LIMIT $2",
          [cycleId, Math.min(first, 100)],
        ),
        pool.query("SELECT count(*)::int AS n FROM okr_objectives WHERE cycle_id = $1", [cycleId]),
      ]);
      return { totalCount: count.rows[0].n, nodes: page.rows };
    },
  },
  Objective: {
    owner: (o, _, { loaders }) => loaders.person.load(o.owner_id),
    keyResults: (o, _, { loaders }) => loaders.keyResults.load(o.id),
  },
  KeyResult: {
    owner: (k, _, { loaders }) => loaders.person.load(k.owner_id),
  },
};

const server = new ApolloServer({ typeDefs, resolvers, introspection: false });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT ?? 8383), host: "127.0.0.1" },
  context: async () => ({ loaders: loaders() }),
});
console.error(`apollo ready at ${url}`);
